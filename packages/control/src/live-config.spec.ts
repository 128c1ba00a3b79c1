import { NEVER, Subject, type Observable } from 'rxjs';
import { ManualClock } from '@tsbms/hal';
import { buildControlConfig, ControlConfigError, type ControlConfig } from './config';
import { createControl } from './control';
import { liveControlConfigs } from './live-config';

const RESTART = 'cannot change while running: restart the controller';

const initial = buildControlConfig({ moduleCount: 2 });

/** What `config$` makes of `later`: the configurations passed on, and the error if any. */
function applied(later: ControlConfig) {
  const passed: ControlConfig[] = [];
  let error: unknown;
  const config$ = new Subject<ControlConfig>();
  liveControlConfigs(initial, config$).subscribe({ next: (c) => passed.push(c), error: (e) => (error = e) });
  config$.next(later);
  return { passed, error };
}

describe('liveControlConfigs', () => {
  it('passes on a configuration of the same pack', () => {
    const later = buildControlConfig({ moduleCount: 2, maxChargeCurrentA: 40 });
    expect(applied(later)).toEqual({ passed: [later], error: undefined });
  });

  it('refuses a change of moduleCount with a ControlConfigError naming it', () => {
    const { passed, error } = applied(buildControlConfig({ moduleCount: 4 }));
    expect(passed).toEqual([]);
    expect(error).toBeInstanceOf(ControlConfigError);
    expect((error as ControlConfigError).issues).toEqual([{ path: 'moduleCount', reason: RESTART }]);
    expect((error as ControlConfigError).message).toBe(`invalid control config at moduleCount: ${RESTART}`);
  });

  it('names every structural key that changed', () => {
    const { error } = applied(buildControlConfig({ moduleCount: 4, parallelStringCount: 2 }));
    expect((error as ControlConfigError).issues.map((issue) => issue.path)).toEqual([
      'moduleCount',
      'parallelStringCount',
    ]);
  });
});

describe('createControl with a structural change on config$', () => {
  it('errors every output with the ControlConfigError', () => {
    const config$ = new Subject<ControlConfig>();
    const control = createControl(NEVER, { config: initial, config$, clock: new ManualClock() });
    const errors: unknown[] = [];
    const outputs: Observable<unknown>[] = [
      control.contactors$,
      control.limits$,
      control.balancing$,
      control.heating$,
    ];
    for (const output$ of outputs) {
      output$.subscribe({ error: (error: unknown) => errors.push(error) });
    }
    config$.next(buildControlConfig({ moduleCount: 4 }));
    expect(errors).toHaveLength(4);
    for (const error of errors) {
      expect(error).toBeInstanceOf(ControlConfigError);
      expect((error as ControlConfigError).path).toBe('moduleCount');
    }
  });
});
