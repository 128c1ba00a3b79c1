import {
  BehaviorSubject,
  type Observable,
  type OperatorFunction,
  type SchedulerLike,
  Subject,
  map,
} from 'rxjs';
import type { FaultEngineConfig } from './config';
import {
  clearTracker,
  HELD_BY_HIGHER,
  IDLE_TRACKER,
  type LevelTrackerState,
  stepLevel,
} from './level-tracker';
import { FAULT_RULES, type Observation, type Rule } from './rules';
import {
  type AcknowledgeRequest,
  type AcknowledgeResult,
  type ActiveFault,
  FAULT_KINDS,
  FAULT_LEVELS,
  type FaultEvent,
  type FaultInput,
  type FaultKind,
  type FaultLevel,
  type FaultLocation,
  type FaultMeasurement,
  type FaultSet,
  type PersistedFaults,
} from './types';

interface Tracked {
  /** kind and location: the levels of one group nest (B-3). */
  readonly group: string;
  readonly kind: FaultKind;
  readonly level: FaultLevel;
  readonly location: FaultLocation;
  /** What raised (or latched) the level; kept while it is active. */
  raised: FaultMeasurement;
  /** The latest observation; null until one since the engine started. */
  now: FaultMeasurement | null;
  state: LevelTrackerState;
}

/** The measurement fields only: absent ones stay absent, so records and JSON stay lean. */
function measurement(m: FaultMeasurement): FaultMeasurement {
  return {
    value: m.value,
    ...(m.threshold === undefined ? {} : { threshold: m.threshold }),
    ...(m.detail === undefined ? {} : { detail: m.detail }),
    ...(m.chipFlags === undefined ? {} : { chipFlags: m.chipFlags }),
  };
}

export function locationKey(location: FaultLocation): string {
  const { moduleAddress, cellIndex, sensorIndex, quantity, contactor } = location;
  return [moduleAddress, cellIndex, sensorIndex, quantity, contactor].map((p) => p ?? '').join('/');
}

const groupKey = (kind: FaultKind, location: FaultLocation): string => `${kind}|${locationKey(location)}`;
const trackerKey = (group: string, level: FaultLevel): string => `${group}#${level}`;

function matches(location: FaultLocation, selector: FaultLocation | undefined): boolean {
  if (selector === undefined) return true;
  return (Object.keys(selector) as (keyof FaultLocation)[]).every((k) => selector[k] === location[k]);
}

export interface FaultEngineOptions {
  /** Time source (RxJS scheduler; `@tsbms/hal`'s Clock is the same type). */
  readonly scheduler: SchedulerLike;
  /** Latched faults saved by `persistedState()` before a restart (B-6). */
  readonly persisted?: PersistedFaults | null;
  /** The rule table, default `FAULT_RULES`; a kind without a rule is never observed. */
  readonly rules?: Readonly<Partial<Record<FaultKind, Rule>>>;
}

/**
 * The fault engine: evaluates the rule table on every input, debounces each level (B-1, B-2),
 * nests levels (B-3), latches (B-4, B-5) and publishes the active set and the events.
 */
export class FaultEngine {
  private readonly trackers = new Map<string, Tracked>();
  private readonly faultsSubject: BehaviorSubject<FaultSet>;
  private readonly eventsSubject = new Subject<FaultEvent>();
  private readonly latchedSubject = new Subject<PersistedFaults>();
  /** Which levels were latched when `latched$` last emitted (or at construction). */
  private latchedLevels: string;
  private readonly log: FaultEvent[] = [];
  private lastInput: FaultInput | null = null;
  private lastEvaluatedMs: number | null = null;
  private startedMs: number | null = null;

  /** The current set; replays the latest to a new subscriber. */
  readonly faults$: Observable<FaultSet>;
  /** Raise, clear and acknowledge events as they happen. */
  readonly events$: Observable<FaultEvent>;
  /**
   * `persistedState()` whenever the set of latched levels changes (one latches, an active one becomes
   * latched, a latched one clears), synchronously within `evaluate` and `acknowledge`, right after
   * `faults$`: write it to disk there (B-6). Not replayed, not emitted when only values change.
   */
  readonly latched$: Observable<PersistedFaults>;

  private settings: FaultEngineConfig;

  constructor(
    config: FaultEngineConfig,
    private readonly options: FaultEngineOptions,
  ) {
    this.settings = config;
    for (const f of options.persisted?.faults ?? []) {
      const group = groupKey(f.kind, f.location);
      this.trackers.set(trackerKey(group, f.level), {
        group,
        kind: f.kind,
        level: f.level,
        location: f.location,
        raised: measurement(f),
        now: null,
        state: { ...IDLE_TRACKER, active: true, latched: true, sinceMs: f.sinceMs },
      });
    }
    this.faultsSubject = new BehaviorSubject(this.currentSet());
    this.faults$ = this.faultsSubject.asObservable();
    this.events$ = this.eventsSubject.asObservable();
    this.latchedLevels = this.currentLatchedLevels();
    this.latched$ = this.latchedSubject.asObservable();
  }

  /** The configuration the next evaluation runs on. */
  get config(): FaultEngineConfig {
    return this.settings;
  }

  /**
   * A live settings change: thresholds, delays and hysteresis apply from the next evaluation on.
   * Every fault's debounce, latch and value carry over, so a change never clears a fault by itself:
   * one whose condition no longer holds clears by its own delay and hysteresis (B-2), a latched one
   * still waits for an acknowledge (B-5).
   */
  reconfigure(config: FaultEngineConfig): void {
    this.settings = config;
  }

  /** Evaluates every rule on `input` at the scheduler's current time and returns the new set. */
  evaluate(input: FaultInput): FaultSet {
    const now = this.options.scheduler.now();
    this.startedMs ??= now;
    const dtMs = this.lastEvaluatedMs === null ? 0 : Math.max(0, now - this.lastEvaluatedMs);
    const context = {
      input,
      previousInput: this.lastInput,
      config: this.settings,
      nowMs: now,
      startedMs: this.startedMs,
    };
    const observed = new Map<string, Observation>();
    const rules = this.options.rules ?? FAULT_RULES;
    for (const kind of FAULT_KINDS) {
      for (const o of rules[kind]?.(context) ?? []) observed.set(groupKey(kind, o.location), o);
    }
    const groups = new Map<string, FaultKind>([...observed].map(([g, o]) => [g, o.kind]));
    for (const t of this.trackers.values()) groups.set(t.group, t.kind);
    for (const [group, kind] of groups) this.stepGroup(group, kind, observed.get(group), now, dtMs);
    this.lastInput = input;
    this.lastEvaluatedMs = now;
    this.publish();
    return this.faults;
  }

  private stepGroup(
    group: string,
    kind: FaultKind,
    o: Observation | undefined,
    now: number,
    dtMs: number,
  ): void {
    const timing = this.settings.timing[kind];
    let higherActive = false;
    for (const level of FAULT_LEVELS) {
      const levelTiming = timing[level];
      if (levelTiming === undefined) continue;
      const key = trackerKey(group, level);
      const existing = this.trackers.get(key);
      // Trackers are created on the first excursion: a healthy pack costs no state.
      if (existing === undefined && !higherActive && o?.levels[level]?.set !== true) continue;
      const location = existing?.location ?? (o as Observation).location;
      const tracked: Tracked = existing ?? {
        group,
        kind,
        level,
        location,
        raised: { value: null },
        now: null,
        state: IDLE_TRACKER,
      };
      const antiChatter =
        level === 'fault' && !levelTiming.latched
          ? { raises: this.settings.antiChatterRaises, windowMs: this.settings.antiChatterWindowS * 1000 }
          : null;
      const step = stepLevel(
        tracked.state,
        levelTiming,
        o === undefined ? undefined : (o.levels[level] ?? HELD_BY_HIGHER),
        o?.stale ?? false,
        higherActive,
        now,
        dtMs,
        antiChatter,
      );
      if (o !== undefined) tracked.now = measurement({ ...o, threshold: o.levels[level]?.threshold });
      const latchedBefore = tracked.state.latched;
      // The record of why: at the raise, and again when an active level latches (a deep discharge).
      const latchedNow = step.state.active && step.state.latched && !latchedBefore;
      if ((step.raised || latchedNow) && tracked.now !== null) tracked.raised = tracked.now;
      tracked.state = step.state;
      this.trackers.set(key, tracked);
      if (step.raised) this.emit('raise', tracked, now, 'engine');
      if (step.cleared) this.emit('clear', tracked, now, 'engine', undefined, latchedBefore);
      higherActive = higherActive || tracked.state.active;
    }
  }

  /**
   * Operator clear (B-5): accepted for latched faults whose clear condition holds now; the fault
   * clears at once. Every accepted or rejected request is logged with its source.
   */
  acknowledge(request: AcknowledgeRequest): AcknowledgeResult {
    const now = this.options.scheduler.now();
    const accepted: ActiveFault[] = [];
    const rejected: { fault: ActiveFault; reason: string }[] = [];
    // Highest level first: acknowledging a fault can free the latched warning below it.
    const candidates = [...this.trackers.values()]
      .filter(
        (t) =>
          t.state.active &&
          t.state.latched &&
          (request.kind === undefined || t.kind === request.kind) &&
          matches(t.location, request.location),
      )
      .sort((a, b) => FAULT_LEVELS.indexOf(a.level) - FAULT_LEVELS.indexOf(b.level));
    for (const t of candidates) {
      const fault = this.toActive(t);
      if (fault.clearable) {
        accepted.push(fault);
        this.emit('acknowledge', t, now, request.source);
        this.emit('clear', t, now, request.source);
        t.state = clearTracker(t.state);
        this.clearNestedBelow(t, now);
      } else {
        const reason = this.heldByHigher(t)
          ? 'a higher level of the same kind and location is active'
          : 'the clear condition does not hold';
        rejected.push({ fault, reason });
        this.emit('acknowledgeRejected', t, now, request.source, reason);
      }
    }
    if (accepted.length > 0) this.publish();
    return { accepted, rejected };
  }

  /** The new set to `faults$`; the latched faults to `latched$` when which levels are latched changed. */
  private publish(): void {
    this.faultsSubject.next(this.currentSet());
    const latched = this.currentLatchedLevels();
    if (latched === this.latchedLevels) return;
    this.latchedLevels = latched;
    this.latchedSubject.next(this.persistedState());
  }

  private currentLatchedLevels(): string {
    return [...this.trackers]
      .filter(([, t]) => t.state.active && t.state.latched)
      .map(([key]) => key)
      .sort()
      .join('\n');
  }

  /**
   * Lower levels held only by the acknowledged one (B-3) clear with it when their own condition is
   * met, or at once when they have none (held only by nesting).
   */
  private clearNestedBelow(t: Tracked, now: number): void {
    for (const level of FAULT_LEVELS.slice(FAULT_LEVELS.indexOf(t.level) + 1)) {
      const lower = this.trackers.get(trackerKey(t.group, level));
      if (lower === undefined || !lower.state.active) continue;
      if (lower.state.latched || !lower.state.clearReady) return;
      lower.state = clearTracker(lower.state);
      this.emit('clear', lower, now, 'engine');
    }
  }

  /** A higher level of the same kind and location is active: it implies this one (B-3). */
  private heldByHigher(t: Tracked): boolean {
    return FAULT_LEVELS.slice(0, FAULT_LEVELS.indexOf(t.level)).some(
      (level) => this.trackers.get(trackerKey(t.group, level))?.state.active === true,
    );
  }

  /** The latched faults to persist (B-6); pass them back as `persisted` after a restart. */
  persistedState(): PersistedFaults {
    return {
      version: 1,
      faults: [...this.trackers.values()]
        .filter((t) => t.state.active && t.state.latched)
        .map((t) => ({
          kind: t.kind,
          level: t.level,
          location: t.location,
          ...t.raised,
          sinceMs: t.state.sinceMs as number,
        })),
    };
  }

  /** The active set as of the latest evaluate or acknowledge. */
  get faults(): FaultSet {
    return this.faultsSubject.value;
  }

  /** The bounded in-memory event log, oldest first. */
  eventLog(): readonly FaultEvent[] {
    return [...this.log];
  }

  private toActive(t: Tracked): ActiveFault {
    return Object.freeze({
      kind: t.kind,
      level: t.level,
      location: t.location,
      ...t.raised,
      now: t.now,
      sinceMs: t.state.sinceMs as number,
      latched: t.state.latched,
      clearable: t.state.clearReady && !this.heldByHigher(t),
    });
  }

  private currentSet(): FaultSet {
    const faults = [...this.trackers.values()].filter((t) => t.state.active).map((t) => this.toActive(t));
    const highestLevel = FAULT_LEVELS.find((l) => faults.some((f) => f.level === l)) ?? null;
    return Object.freeze({
      timestampMs: this.options.scheduler.now(),
      faults: Object.freeze(faults),
      highestLevel,
    });
  }

  private emit(
    type: FaultEvent['type'],
    t: Tracked,
    now: number,
    source: string,
    reason?: string,
    latched = t.state.latched,
  ): void {
    const event: FaultEvent = Object.freeze({
      type,
      timestampMs: now,
      kind: t.kind,
      level: t.level,
      location: t.location,
      // What holds at the event: for a raise, what raised it.
      ...(t.now ?? t.raised),
      source,
      latched,
      ...(reason === undefined ? {} : { reason }),
    });
    this.log.push(event);
    if (this.log.length > this.settings.eventLogSize)
      this.log.splice(0, this.log.length - this.settings.eventLogSize);
    this.eventsSubject.next(event);
  }
}

/**
 * Feeds each input to the engine and emits the resulting set, or what `project` makes of the input
 * and its set (a pipeline that needs both, e.g. the pack and its faults for control).
 */
export function evaluateFaults(engine: FaultEngine): OperatorFunction<FaultInput, FaultSet>;
export function evaluateFaults<I extends FaultInput, R>(
  engine: FaultEngine,
  project: (input: I, faults: FaultSet) => R,
): OperatorFunction<I, R>;
export function evaluateFaults<I extends FaultInput, R>(
  engine: FaultEngine,
  project?: (input: I, faults: FaultSet) => R,
): OperatorFunction<I, R | FaultSet> {
  return map((input) => {
    const faults = engine.evaluate(input);
    return project === undefined ? faults : project(input, faults);
  });
}
