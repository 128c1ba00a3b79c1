import type { Clock } from '@tsbms/hal';
import type { ControllerContext } from '../services/controller-context';
import { SECRET_CONFIG_PATHS } from '../services/output-services';
import { historyPart, livePart, recordingPart, type HistoryEventSource } from './bundle-parts';
import { makeSupportBundle, type SupportBundle } from './support-bundle';
import { collectVersions } from './versions';

/** What the running daemon makes its bundle from (GET /api/support-bundle, the dashboard's link). */
export interface DaemonBundleSources {
  /** The supervisor's context: it carries on across restarts. */
  readonly context: Pick<ControllerContext, 'config' | 'status' | 'faultEvents' | 'linkStats'>;
  /** The history file the daemon records into; null without one. */
  readonly history: HistoryEventSource | null;
  readonly env: NodeJS.ProcessEnv;
  readonly clock: Clock;
  readonly controllerVersion: string;
}

/**
 * The daemon's support bundle, made when asked for from its live state: the running
 * configuration, the status, the fault log in memory, the history file's events, the bus
 * counters and the tail of the recording. Throws SupportBundleError SECRET_IN_BUNDLE rather than
 * hand out a secret.
 */
export function daemonSupportBundle(sources: DaemonBundleSources): SupportBundle {
  const { context } = sources;
  const nowMs = sources.clock.now();
  const config = context.config();
  return makeSupportBundle({
    createdAtMs: nowMs,
    madeBy: 'the running daemon (GET /api/support-bundle, the settings page)',
    config,
    secretPaths: SECRET_CONFIG_PATHS,
    env: sources.env,
    status: livePart(() => context.status(), 'no status yet'),
    faultLog: livePart(
      () => ({
        source: "the running daemon's fault log (in memory, since it started)",
        events: context.faultEvents(),
      }),
      'no fault log yet',
    ),
    history: historyPart(sources.history, "the daemon's history file", nowMs),
    linkStats: livePart(() => context.linkStats(), 'the pack source keeps no bus counters'),
    versions: collectVersions(sources.controllerVersion),
    recording: recordingPart(config.recordFile),
  });
}
