import { CELLS_PER_MODULE } from './physics-constants';

/** Thresholds and delays as decoded from the shadow registers 0x42..0x47. */
export interface ProtectionSettings {
  /** Cell over-voltage level, V; undefined when disabled. */
  readonly covV: number | undefined;
  readonly covDelayMs: number;
  /** Cell under-voltage level, V; undefined when disabled. */
  readonly cuvV: number | undefined;
  readonly cuvDelayMs: number;
  /** Over-temperature levels, °C; undefined when off. */
  readonly ot1C: number | undefined;
  readonly ot2C: number | undefined;
  readonly otDelayMs: number;
}

/** What the comparators see at one instant. */
export interface ComparatorInputs {
  readonly cellsV: readonly number[];
  /** Thermistor temperatures, or undefined when that sensor's bias is off. */
  readonly thermistorC: readonly (number | undefined)[];
}

/** Conditions that have held for at least their delay. */
export interface ProtectionTrips {
  readonly covMask: number;
  readonly cuvMask: number;
  readonly ot1: boolean;
  readonly ot2: boolean;
}

const NO_TRIPS: ProtectionTrips = Object.freeze({ covMask: 0, cuvMask: 0, ot1: false, ot2: false });

/**
 * The chip's analog COV/CUV/OT comparators with their delay timers. A condition trips once it
 * has held continuously for its delay; it keeps tripping while it holds, so a latched fault
 * that is cleared comes back at once.
 */
export class ProtectionComparators {
  // Time each condition started holding; undefined while it does not hold.
  private readonly covSince: (number | undefined)[] = new Array(CELLS_PER_MODULE).fill(undefined);
  private readonly cuvSince: (number | undefined)[] = new Array(CELLS_PER_MODULE).fill(undefined);
  private readonly otSince: (number | undefined)[] = [undefined, undefined];

  /** Updates the condition timers at `nowMs` and returns what trips. */
  evaluate(nowMs: number, inputs: ComparatorInputs, settings: ProtectionSettings): ProtectionTrips {
    let covMask = 0;
    let cuvMask = 0;
    for (let i = 0; i < CELLS_PER_MODULE; i++) {
      const v = inputs.cellsV[i];
      this.covSince[i] = track(this.covSince[i], settings.covV !== undefined && v > settings.covV, nowMs);
      this.cuvSince[i] = track(this.cuvSince[i], settings.cuvV !== undefined && v < settings.cuvV, nowMs);
      if (held(this.covSince[i], settings.covDelayMs, nowMs)) covMask |= 1 << i;
      if (held(this.cuvSince[i], settings.cuvDelayMs, nowMs)) cuvMask |= 1 << i;
    }
    const levels = [settings.ot1C, settings.ot2C];
    const ot = levels.map((level, i) => {
      const celsius = inputs.thermistorC[i];
      this.otSince[i] = track(
        this.otSince[i],
        level !== undefined && celsius !== undefined && celsius >= level,
        nowMs,
      );
      return held(this.otSince[i], settings.otDelayMs, nowMs);
    });
    return { covMask, cuvMask, ot1: ot[0], ot2: ot[1] };
  }

  /** The earliest future time a holding condition will trip, for the caller's event loop. */
  nextTripMs(settings: ProtectionSettings, nowMs: number): number | undefined {
    let next: number | undefined;
    const consider = (since: number | undefined, delayMs: number) => {
      if (since === undefined) return;
      const due = since + delayMs;
      if (due > nowMs && (next === undefined || due < next)) next = due;
    };
    this.covSince.forEach((s) => consider(s, settings.covDelayMs));
    this.cuvSince.forEach((s) => consider(s, settings.cuvDelayMs));
    this.otSince.forEach((s) => consider(s, settings.otDelayMs));
    return next;
  }

  /** Switches the comparators off (sleep, reset): all delay timers start again. */
  disable(): ProtectionTrips {
    this.covSince.fill(undefined);
    this.cuvSince.fill(undefined);
    this.otSince.fill(undefined);
    return NO_TRIPS;
  }
}

function track(since: number | undefined, holds: boolean, nowMs: number): number | undefined {
  if (!holds) return undefined;
  return since ?? nowMs;
}

function held(since: number | undefined, delayMs: number, nowMs: number): boolean {
  return since !== undefined && nowMs - since >= delayMs;
}
