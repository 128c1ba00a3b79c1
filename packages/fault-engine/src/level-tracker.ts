import type { LevelTiming } from './config';

/** What a rule observed for one level this step. */
export interface LevelCondition {
  /** The value is beyond the set threshold. */
  readonly set: boolean;
  /** The value is beyond the clear threshold, toward safety. */
  readonly clear: boolean;
  /** Latch this level if it is (or becomes) active, e.g. a deep discharge. */
  readonly latch?: boolean;
  /** Overrides the kind's set delay for this observation (a second trigger of the same kind). */
  readonly setDelayS?: number;
  /** The set threshold, in the observation's unit, for the fault's record (`FaultMeasurement`). */
  readonly threshold?: number;
}

/**
 * What a rule says about one level at one location in one step: its own condition; `HELD_BY_HIGHER`
 * when the rule observes the location but defines no condition for this level there, so only a
 * higher level holds it (B-3); or undefined when nothing was observed (the value is unknown).
 */
export const HELD_BY_HIGHER = 'heldByHigher';
export type LevelObservation = LevelCondition | typeof HELD_BY_HIGHER | undefined;

/** One level of one fault kind at one location. Times in integer milliseconds. */
export interface LevelTrackerState {
  readonly active: boolean;
  readonly sinceMs: number | null;
  readonly latched: boolean;
  /** B-1 up/down counter. */
  readonly raiseTimerMs: number;
  /** How long the clear condition has held on fresh data (B-2, B-7). */
  readonly clearHeldMs: number;
  /** The clear condition held long enough at the last step: clears, or accepts an acknowledge. */
  readonly clearReady: boolean;
  /** Condition at the previous step: it applies to the interval up to this step. Null = unknown. */
  readonly previousSet: boolean | null;
  readonly previousClear: boolean;
  /** Raise times within the anti-chatter window (B-4). */
  readonly raisesMs: readonly number[];
}

export const IDLE_TRACKER: LevelTrackerState = Object.freeze({
  active: false,
  sinceMs: null,
  latched: false,
  raiseTimerMs: 0,
  clearHeldMs: 0,
  clearReady: false,
  previousSet: null,
  previousClear: false,
  raisesMs: Object.freeze([]),
});

export interface TrackerStep {
  readonly state: LevelTrackerState;
  readonly raised: boolean;
  readonly cleared: boolean;
}

export interface AntiChatter {
  readonly raises: number;
  readonly windowMs: number;
}

/**
 * Advances one level by `dtMs`. `observation` undefined = not observed (value unknown): nothing counts.
 * `stale` = a kept last good value: it may count toward raising, never toward recovery (B-7).
 * `higherActive` = a higher level of the same kind and location is active (B-3: it holds this one).
 */
export function stepLevel(
  s: LevelTrackerState,
  timing: LevelTiming,
  observation: LevelObservation,
  stale: boolean,
  higherActive: boolean,
  nowMs: number,
  dtMs: number,
  antiChatter: AntiChatter | null,
): TrackerStep {
  if (observation === undefined || observation === HELD_BY_HIGHER) {
    if (!s.active && higherActive) {
      return {
        state: raise(s, timing, { set: false, clear: false }, nowMs, antiChatter, null, false),
        raised: true,
        cleared: false,
      };
    }
    // No value of its own to count. Held only by nesting, the level has nothing to wait for once the
    // data is fresh: it clears as soon as no higher level holds it (after an acknowledge as well).
    const clearReady = observation === HELD_BY_HIGHER && s.active && !stale;
    const next = { ...s, previousSet: null, previousClear: false, clearHeldMs: 0, clearReady };
    if (clearReady && !s.latched && !higherActive)
      return { state: clearTracker(next), raised: false, cleared: true };
    return { state: next, raised: false, cleared: false };
  }
  const condition = observation;
  const previousSet = stale && !condition.set ? null : condition.set;
  const freshClear = condition.clear && !stale;

  if (!s.active) {
    const counted =
      s.previousSet === true
        ? s.raiseTimerMs + dtMs
        : s.previousSet === false
          ? Math.max(0, s.raiseTimerMs - dtMs)
          : s.raiseTimerMs;
    const delayMs = Math.round((condition.setDelayS ?? timing.setDelayS) * 1000);
    if ((condition.set && counted >= delayMs) || higherActive) {
      return {
        state: raise(s, timing, condition, nowMs, antiChatter, previousSet, freshClear),
        raised: true,
        cleared: false,
      };
    }
    return {
      state: {
        ...s,
        raiseTimerMs: counted,
        previousSet,
        previousClear: freshClear,
        clearHeldMs: 0,
        clearReady: false,
      },
      raised: false,
      cleared: false,
    };
  }

  const clearHeldMs = freshClear ? (s.previousClear ? s.clearHeldMs + dtMs : 0) : 0;
  const clearReady = freshClear && clearHeldMs >= Math.round(timing.clearDelayS * 1000);
  const latched = s.latched || condition.latch === true;
  const next: LevelTrackerState = {
    ...s,
    latched,
    clearHeldMs,
    clearReady,
    previousSet,
    previousClear: freshClear,
  };
  if (clearReady && !latched && !higherActive)
    return { state: clearTracker(next), raised: false, cleared: true };
  return { state: next, raised: false, cleared: false };
}

function raise(
  s: LevelTrackerState,
  timing: LevelTiming,
  condition: LevelCondition,
  nowMs: number,
  antiChatter: AntiChatter | null,
  previousSet: boolean | null,
  freshClear: boolean,
): LevelTrackerState {
  const raisesMs =
    antiChatter === null
      ? s.raisesMs
      : [...s.raisesMs.filter((t) => nowMs - t < antiChatter.windowMs), nowMs];
  const chattering = antiChatter !== null && raisesMs.length >= antiChatter.raises;
  return {
    active: true,
    sinceMs: nowMs,
    latched: timing.latched || condition.latch === true || chattering,
    raiseTimerMs: 0,
    clearHeldMs: 0,
    clearReady: false,
    previousSet,
    previousClear: freshClear,
    raisesMs,
  };
}

/** Back to idle, keeping the anti-chatter history. */
export function clearTracker(s: LevelTrackerState): LevelTrackerState {
  return {
    ...IDLE_TRACKER,
    raisesMs: s.raisesMs,
    previousSet: s.previousSet,
    previousClear: s.previousClear,
  };
}
