import type { RecordingTail } from './recording-tail';
import type { VersionFacts } from './versions';

/** A part of the bundle that is there, or why not (`{ "notIncluded": reason }` in its file). */
export type BundlePart<T> =
  | { readonly included: true; readonly value: T }
  | { readonly included: false; readonly reason: string };

export const included = <T>(value: T): BundlePart<T> => ({ included: true, value });
export const notIncluded = <T = never>(reason: string): BundlePart<T> => ({ included: false, reason });

/** Events of one source, oldest first, and where they came from. */
export interface EventList {
  /** For people: `the running daemon's fault log`, `history file /var/lib/tsbms/bms.yaml.history.sqlite`. */
  readonly source: string;
  readonly events: readonly unknown[];
}

/** At most this many events of each source go into events.json (the last ones). */
export const BUNDLE_EVENT_LIMIT = 500;
/** The history file's events are read back this far. */
export const HISTORY_EVENT_WINDOW_MS = 30 * 24 * 3600 * 1000;

/** Everything a support bundle is made of, gathered by the daemon or the CLI. */
export interface SupportBundleInput {
  readonly createdAtMs: number;
  /** Who made it, for README.txt: `the running daemon (dashboard)`, `npm run support-bundle …`. */
  readonly madeBy: string;
  /** The running configuration in the file's shape, secrets and all: the bundle redacts it. */
  readonly config: unknown;
  /** Dotted paths of the configuration's secrets (SECRET_CONFIG_PATHS). */
  readonly secretPaths: readonly string[];
  /** The environment the configuration ran with: only the names of its overrides are shown. */
  readonly env: NodeJS.ProcessEnv;
  /** The status snapshot (BmsStatus); when not included, what the state file held, if anything. */
  readonly status: BundlePart<unknown>;
  readonly savedState?: unknown;
  /** The daemon's in-memory fault log. */
  readonly faultLog: BundlePart<EventList>;
  /** The history file's events. */
  readonly history: BundlePart<EventList>;
  /** The bus counters, in total and per module address (LinkStats). */
  readonly linkStats: BundlePart<unknown>;
  readonly versions: VersionFacts;
  /** The tail of `recordFile`, with the file's name. */
  readonly recording: BundlePart<{ readonly file: string; readonly tail: RecordingTail }>;
}
