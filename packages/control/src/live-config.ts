import { EMPTY, map, type Observable } from 'rxjs';
import { ControlConfigError, type ConfigIssue, type ControlConfig } from './config';

/**
 * The settings that fix the shape of the state (how many strings of how many modules): the
 * strategies keep their state across a change of settings, so these can only change by a restart.
 */
const STRUCTURAL_KEYS = ['moduleCount', 'parallelStringCount'] as const;

/**
 * The later configurations of `config$` as the strategies may apply them: a configuration that
 * changes the pack's structure against `initial` errors the stream with a {@link ControlConfigError}
 * naming each changed key. Without `config$`, no later configurations.
 */
export function liveControlConfigs(
  initial: ControlConfig,
  config$: Observable<ControlConfig> = EMPTY,
): Observable<ControlConfig> {
  return config$.pipe(
    map((config) => {
      const issues: ConfigIssue[] = STRUCTURAL_KEYS.filter((key) => config[key] !== initial[key]).map(
        (key) => ({ path: key, reason: 'cannot change while running: restart the controller' }),
      );
      if (issues.length > 0) throw new ControlConfigError(issues);
      return config;
    }),
  );
}
