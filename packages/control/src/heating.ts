import { distinctUntilChanged, map, type Observable } from 'rxjs';
import type { Clock } from '@tsbms/hal';
import type { ControlConfig } from './config';
import { runClockedMachine, type ClockedMachine } from './clocked-machine';
import { isKnown, type ControlInputs } from './inputs';
import { liveControlConfigs } from './live-config';

/** Why the heater is kept off although the pack is cold (B-39). */
export type HeatingBlock =
  | 'staleTemperature'
  | 'implausibleTemperature'
  | 'overTemperatureWarning'
  | 'tooWarm'
  | 'ineffective';

/** What `heating$` publishes. */
export interface HeatingStatus {
  /** Desired heater output. */
  readonly heaterOn: boolean;
  /** The lowest temperature asks for heat (on below `heatingOnBelowC`, off at `heatingOffAtC`). */
  readonly demand: boolean;
  readonly blockedBy: HeatingBlock | null;
  /** "Heater ineffective" warning: on for `heatingIneffectiveS` without `heatingMinRiseC` of rise. */
  readonly ineffective: boolean;
  /** When `heaterOn` last changed. */
  readonly sinceMs: number;
}

export type HeatingInputs = Pick<
  ControlInputs,
  'scanAtMs' | 'strings' | 'lowestTemperatureC' | 'highestTemperatureC' | 'faults'
>;

export interface HeatingMachineState {
  readonly status: HeatingStatus;
  readonly inputs: HeatingInputs | null;
  /** While on: the lowest temperature when it last rose by `heatingMinRiseC`, and when. */
  readonly progressFromC: number | null;
  readonly progressSinceMs: number;
  readonly atMs: number;
}

/** Heater control (B-38, B-39) as a pure machine; see {@link controlHeating}. */
export function heatingMachine(config: ControlConfig): ClockedMachine<HeatingInputs, HeatingMachineState> {
  const freshMs = 2 * config.pollIntervalS * 1000;
  const ineffectiveMs = config.heatingIneffectiveS * 1000;

  const temperaturesTrusted = (inputs: HeatingInputs, nowMs: number) =>
    nowMs - inputs.scanAtMs < freshMs &&
    isKnown(inputs.lowestTemperatureC) &&
    isKnown(inputs.highestTemperatureC) &&
    inputs.strings.every((s) =>
      s.modules.every((m) => !m.stale && m.temperaturesC.every((t) => Number.isFinite(t))),
    );

  const blockOf = (inputs: HeatingInputs, ineffective: boolean, nowMs: number): HeatingBlock | null => {
    if (!temperaturesTrusted(inputs, nowMs)) return 'staleTemperature';
    if (inputs.faults.temperatureImplausible) return 'implausibleTemperature';
    if (inputs.faults.overTemperatureWarning) return 'overTemperatureWarning';
    if ((inputs.highestTemperatureC as number) >= config.heatingMaxTemperatureC) return 'tooWarm';
    return ineffective ? 'ineffective' : null;
  };

  return {
    initial: (nowMs) => ({
      status: {
        heaterOn: false,
        demand: false,
        blockedBy: null,
        ineffective: false,
        sinceMs: nowMs,
      },
      inputs: null,
      progressFromC: null,
      progressSinceMs: nowMs,
      atMs: nowMs,
    }),
    step: (state, event, nowMs) => {
      const inputs = event ?? state.inputs;
      if (inputs === null) return state;
      const previous = state.status;
      const lowestC = inputs.lowestTemperatureC;
      let demand = previous.demand;
      let ineffective = previous.ineffective;
      if (isKnown(lowestC)) {
        if (lowestC < config.heatingOnBelowC) demand = true;
        if (lowestC >= config.heatingOffAtC) {
          demand = false;
          // The cold spell is over: the next one gets a fresh chance.
          ineffective = false;
        }
      }
      let blockedBy = blockOf(inputs, ineffective, nowMs);
      let progressFromC: number | null = null;
      let progressSinceMs = state.progressSinceMs;
      if (demand && blockedBy === null) {
        const from = previous.heaterOn ? state.progressFromC : null;
        if (from === null || (lowestC as number) >= from + config.heatingMinRiseC) {
          progressFromC = lowestC;
          progressSinceMs = nowMs;
        } else {
          progressFromC = from;
        }
        if (nowMs - progressSinceMs >= ineffectiveMs) {
          ineffective = true;
          blockedBy = 'ineffective';
          progressFromC = null;
        }
      }
      const heaterOn = demand && blockedBy === null;
      const changed =
        heaterOn !== previous.heaterOn ||
        demand !== previous.demand ||
        blockedBy !== previous.blockedBy ||
        ineffective !== previous.ineffective;
      const status = changed
        ? {
            heaterOn,
            demand,
            blockedBy,
            ineffective,
            sinceMs: heaterOn === previous.heaterOn ? previous.sinceMs : nowMs,
          }
        : previous;
      return { status, inputs, progressFromC, progressSinceMs, atMs: nowMs };
    },
    wakeAtMs: (state) => {
      if (!state.status.heaterOn || state.inputs === null) return null;
      // Off when scans stop, and when the heater has had its time without effect.
      const candidates = [state.inputs.scanAtMs + freshMs, state.progressSinceMs + ineffectiveMs];
      const future = candidates.filter((t) => t > state.atMs);
      return future.length > 0 ? Math.min(...future) : null;
    },
  };
}

export interface HeatingOptions {
  /** The initial configuration. */
  readonly config: ControlConfig;
  /**
   * Later configurations (live settings): each applies from the next input or timer wake on; every
   * state carries over.
   */
  readonly config$?: Observable<ControlConfig>;
  readonly clock: Clock;
}

/** The heater output; re-evaluated on every input and when scans stop. Emits on every change. */
export function controlHeating(
  inputs$: Observable<HeatingInputs>,
  options: HeatingOptions,
): Observable<HeatingStatus> {
  const machines$ = liveControlConfigs(options.config, options.config$).pipe(map(heatingMachine));
  return runClockedMachine(inputs$, heatingMachine(options.config), options.clock, machines$).pipe(
    map((state) => state.status),
    distinctUntilChanged(),
  );
}
