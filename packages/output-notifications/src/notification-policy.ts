import type {
  ActiveFault,
  FaultEvent,
  FaultLevel,
  FaultLocation,
  FaultMeasurement,
} from '@tsbms/fault-engine';
import { describeLocation } from '@tsbms/bms-core';
import type { Notification, NotificationEvent, NotificationPriority } from './notification';

/*
 * When to tell the owner, as a pure step over fault events and clock ticks (no I/O, no timers):
 * one message per raise, one when it clears, nothing more for a fault that flaps inside its quiet
 * period but its state once the period ends (if it differs from what was told), and a reminder
 * every reminder interval while a latched fault waits for acknowledgement (escalation). The
 * output feeds it the engine's events and a tick with the active faults every second.
 */

export interface NotificationPolicySettings {
  /** Title prefix: the battery's name. */
  readonly title: string;
  readonly minLevel: FaultLevel;
  readonly quietPeriodMs: number;
  /** 0 = a latched fault is told once only. */
  readonly reminderIntervalMs: number;
}

/** What the policy knows of one fault (kind, level, location) it has told or may tell about. */
interface FaultTrack {
  readonly key: string;
  readonly kind: string;
  readonly level: FaultLevel;
  readonly location: FaultLocation;
  /** Active in the engine now. */
  readonly active: boolean;
  readonly latched: boolean;
  /** The latched fault's condition has gone: only an acknowledgement clears it now. */
  readonly waitingForAcknowledge: boolean;
  /** What raised the fault (issue 17). */
  readonly value: number | null;
  readonly detail: string | undefined;
  /** What holds at the latest tick, for reminders; null before one. */
  readonly now: FaultMeasurement | null;
  /** What the owner was last told: active or not; null = nothing yet. */
  readonly toldActive: boolean | null;
  readonly toldAtMs: number | null;
  /** When the last reminder went out. */
  readonly remindedAtMs: number | null;
  /** State changes since the last message (flapping inside the quiet period). */
  readonly changesSinceTold: number;
  /** The operator's channel when the last clear was an acknowledgement. */
  readonly acknowledgedBy: string | null;
}

export interface NotificationPolicyState {
  readonly tracks: ReadonlyMap<string, FaultTrack>;
}

export type NotificationPolicyInput =
  | { readonly type: 'fault'; readonly event: FaultEvent }
  | { readonly type: 'tick'; readonly atMs: number; readonly faults: readonly ActiveFault[] };

export interface NotificationPolicyStep {
  readonly state: NotificationPolicyState;
  readonly notifications: readonly Notification[];
}

const RANK: Readonly<Record<FaultLevel, number>> = { info: 0, warning: 1, fault: 2 };

/** `cellOverVoltage` → `cell over voltage`. */
const words = (kind: string) => kind.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();

/** One fault's identity: kind, level and place (the engine tracks each level on its own). */
export function notificationKey(kind: string, level: FaultLevel, location: FaultLocation): string {
  return `${kind}/${level}@${describeLocation(location)}`;
}

/**
 * The state for an output that starts while faults are active (after a restart): it takes them as
 * told, so a restart repeats nothing; a latched one is reminded of after the reminder interval.
 */
export function initialNotificationPolicyState(
  faults: readonly ActiveFault[],
  atMs: number,
  settings: NotificationPolicySettings,
): NotificationPolicyState {
  const tracks = new Map<string, FaultTrack>();
  for (const fault of faults.filter((f) => RANK[f.level] >= RANK[settings.minLevel])) {
    const key = notificationKey(fault.kind, fault.level, fault.location);
    tracks.set(key, {
      ...trackOf(key, fault),
      toldActive: true,
      toldAtMs: atMs,
      remindedAtMs: null,
      changesSinceTold: 0,
      acknowledgedBy: null,
    });
  }
  return { tracks };
}

function trackOf(
  key: string,
  fault: Pick<ActiveFault, 'kind' | 'level' | 'location' | 'latched' | 'value' | 'detail'> & {
    clearable?: boolean;
  },
): Pick<
  FaultTrack,
  | 'key'
  | 'kind'
  | 'level'
  | 'location'
  | 'active'
  | 'latched'
  | 'waitingForAcknowledge'
  | 'value'
  | 'detail'
  | 'now'
> {
  return {
    key,
    kind: fault.kind,
    level: fault.level,
    location: fault.location,
    active: true,
    latched: fault.latched,
    waitingForAcknowledge: fault.latched && fault.clearable === true,
    value: fault.value,
    detail: fault.detail,
    now: null,
  };
}

/** A reminder also says what holds now, when it differs from what raised the fault. */
function nowLine({ now, value, detail }: FaultTrack): string[] {
  if (now === null || (now.value === value && now.detail === detail)) return [];
  const what = [now.value === null ? null : `value ${now.value}`, now.detail].filter(Boolean).join(', ');
  return what === '' ? [] : [`Now: ${what}.`];
}

const quietOver = (track: FaultTrack, atMs: number, settings: NotificationPolicySettings) =>
  track.toldAtMs === null || atMs - track.toldAtMs >= settings.quietPeriodMs;

/** The policy's step: the new state and what to send now. */
export function stepNotificationPolicy(
  state: NotificationPolicyState,
  input: NotificationPolicyInput,
  settings: NotificationPolicySettings,
): NotificationPolicyStep {
  const tracks = new Map(state.tracks);
  const out: Notification[] = [];
  if (input.type === 'fault') {
    const event = input.event;
    if (RANK[event.level] < RANK[settings.minLevel]) return { state, notifications: [] };
    const key = notificationKey(event.kind, event.level, event.location);
    const before = tracks.get(key);
    // A change the quiet period holds back is counted, for the message that ends it.
    const held = before !== undefined && !quietOver(before, event.timestampMs, settings) ? 1 : 0;
    if (event.type === 'raise') {
      const track: FaultTrack = {
        toldActive: null,
        toldAtMs: null,
        remindedAtMs: null,
        ...before,
        ...trackOf(key, event),
        changesSinceTold: (before?.changesSinceTold ?? 0) + held,
        acknowledgedBy: null,
      };
      tracks.set(key, settle(track, event.timestampMs, settings, out));
    } else if (event.type === 'clear' && before !== undefined) {
      const track: FaultTrack = {
        ...before,
        active: false,
        waitingForAcknowledge: false,
        changesSinceTold: before.changesSinceTold + held,
      };
      tracks.set(key, settle(track, event.timestampMs, settings, out));
    } else if (event.type === 'acknowledge' && before !== undefined) {
      tracks.set(key, { ...before, acknowledgedBy: event.source });
    }
  } else {
    const active = new Map(
      input.faults.map((fault) => [notificationKey(fault.kind, fault.level, fault.location), fault]),
    );
    for (const [key, before] of tracks) {
      const fault = active.get(key);
      const track: FaultTrack =
        fault === undefined || !before.active
          ? before
          : {
              ...before,
              waitingForAcknowledge: fault.latched && fault.clearable,
              value: fault.value,
              detail: fault.detail,
              now: fault.now,
            };
      tracks.set(key, remind(settle(track, input.atMs, settings, out), input.atMs, settings, out));
    }
  }
  // A fault told cleared has nothing more to say once its quiet period is over: kept until then,
  // a raise right after the clear is a flap like any other.
  const atMs = input.type === 'fault' ? input.event.timestampMs : input.atMs;
  for (const [key, track] of tracks)
    if (!track.active && track.toldActive !== true && quietOver(track, atMs, settings)) tracks.delete(key);
  return { state: { tracks }, notifications: out };
}

/** Tells the track's state when it differs from what was told and the quiet period is over. */
function settle(
  track: FaultTrack,
  atMs: number,
  settings: NotificationPolicySettings,
  out: Notification[],
): FaultTrack {
  // As the owner was told (a flap that came back inside the quiet period): nothing to say.
  if (track.active === (track.toldActive ?? false)) return track;
  if (!quietOver(track, atMs, settings)) return track;
  const event: NotificationEvent = track.active
    ? 'raised'
    : track.acknowledgedBy === null
      ? 'cleared'
      : 'acknowledged';
  out.push(notificationOf(track, event, atMs, settings));
  return { ...track, toldActive: track.active, toldAtMs: atMs, remindedAtMs: null, changesSinceTold: 0 };
}

/** Escalation: a latched fault still active is told again every reminder interval. */
function remind(
  track: FaultTrack,
  atMs: number,
  settings: NotificationPolicySettings,
  out: Notification[],
): FaultTrack {
  if (settings.reminderIntervalMs <= 0 || !track.active || !track.latched || track.toldActive !== true)
    return track;
  const lastMs = Math.max(track.toldAtMs ?? -Infinity, track.remindedAtMs ?? -Infinity);
  if (atMs - lastMs < settings.reminderIntervalMs) return track;
  out.push(notificationOf(track, 'reminder', atMs, settings));
  return { ...track, remindedAtMs: atMs };
}

const PRIORITY: Readonly<Record<NotificationEvent, (level: FaultLevel) => NotificationPriority>> = {
  raised: (level) => (level === 'fault' ? 'urgent' : 'high'),
  reminder: (level) => (level === 'fault' ? 'urgent' : 'high'),
  cleared: () => 'default',
  acknowledged: () => 'default',
  test: () => 'default',
};

function notificationOf(
  track: FaultTrack,
  event: NotificationEvent,
  atMs: number,
  settings: NotificationPolicySettings,
): Notification {
  const where = describeLocation(track.location);
  const what = `${words(track.kind)} ${track.level}`;
  const verb: Readonly<Record<NotificationEvent, string>> = {
    raised: 'raised',
    cleared: 'cleared',
    acknowledged: `acknowledged (${track.acknowledgedBy ?? 'operator'})`,
    reminder: track.waitingForAcknowledge ? 'waiting for acknowledgement' : 'still active',
    test: 'test',
  };
  const lines = [
    `${what} at ${where}: ${verb[event]}.`,
    ...(track.value === null ? [] : [`Value: ${track.value}.`]),
    ...(track.detail === undefined ? [] : [`${track.detail}.`]),
    ...(event === 'reminder' ? nowLine(track) : []),
    ...(track.changesSinceTold > 1
      ? [`It changed ${track.changesSinceTold} times within the quiet period.`]
      : []),
    ...(event !== 'cleared' && event !== 'acknowledged' && track.latched
      ? [
          track.waitingForAcknowledge
            ? 'The cause has gone; the fault is latched: acknowledge it (dashboard, MQTT or the HTTP API) to let the contactors close again.'
            : 'The fault is latched: once the cause is fixed, it must be acknowledged.',
        ]
      : []),
    `At ${new Date(atMs).toISOString()}.`,
  ];
  return {
    key: track.key,
    event,
    level: track.level,
    title: `${settings.title}: ${what} at ${where} ${verb[event]}`,
    message: lines.join('\n'),
    priority: PRIORITY[event](track.level),
    atMs,
  };
}
