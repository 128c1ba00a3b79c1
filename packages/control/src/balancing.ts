import { EMPTY, filter, map, merge, scan, startWith, withLatestFrom, type Observable } from 'rxjs';
import type { Clock } from '@tsbms/hal';
import { CELLS_PER_MODULE } from '@tsbms/pack-reading';
import type { ControlConfig } from './config';
import type { ControlInputs, ModuleInput, StringInput } from './inputs';
import { liveControlConfigs } from './live-config';

/** MEASURE: no bleeding, cells settle; BALANCE: the decided cells bleed (B-25). */
export type BalancingPhase = 'MEASURE' | 'BALANCE';

export interface ModuleBalancing {
  readonly address: number;
  /** CB_CTRL value: bit 0 = cell 1 … bit 5 = cell 6. */
  readonly mask: number;
  /** The same, per cell in chip order (B-29). */
  readonly cells: readonly boolean[];
  /** The chip's CBT bit from the latest scan: its balance timer runs (B-29); false if unknown. */
  readonly balanceTimerRunning: boolean;
}

export interface StringBalancing {
  readonly phase: BalancingPhase;
  readonly sinceMs: number;
  readonly modules: readonly ModuleBalancing[];
}

/** What `balancing$` publishes: one entry per series string, in input order. */
export interface BalancingState {
  readonly strings: readonly StringBalancing[];
}

export type BalancingInputs = Pick<ControlInputs, 'scanAtMs' | 'strings' | 'faults'>;

/**
 * An operator's "balance now": the next scan decides without the `balanceVoltageV` floor (a
 * mid-SoC balance), for each string whose cells have rested (B-25); the difference, the B-27
 * conditions and the BALANCE time hold as always. A string already bleeding carries on.
 */
export interface BalanceNowCommand {
  readonly kind: 'balanceNow';
}

function moduleBalancing(module: ModuleInput, cells: readonly boolean[]): ModuleBalancing {
  const mask = cells.reduce((bits, on, i) => (on ? bits | (1 << i) : bits), 0);
  return {
    address: module.address,
    mask,
    cells,
    balanceTimerRunning: module.balanceTimerRunning ?? false,
  };
}

function idle(module: ModuleInput): ModuleBalancing {
  return moduleBalancing(module, new Array<boolean>(CELLS_PER_MODULE).fill(false));
}

/**
 * Lowest plausible cell of the string's fresh modules. A stale module's cells are left out: its
 * old values cannot vouch for a cell being high, and leaving them out can only raise the minimum,
 * which selects fewer cells.
 */
export function stringMinimumV(string: StringInput): number {
  const cells = string.modules
    .filter((m) => !m.stale)
    .flatMap((m) => m.cellVoltagesV)
    .filter((v) => Number.isFinite(v));
  return cells.length > 0 ? Math.min(...cells) : NaN;
}

/** The balancing of §5 as a pure step over scans; see {@link balanceCells}. */
export function createBalancer(config: ControlConfig) {
  const lowC = config.lowTemperatureC + config.temperatureWarningOffsetC;
  const highC = config.highTemperatureC - 2 * config.temperatureWarningOffsetC;
  const measureMs = config.balanceMeasureS * 1000;
  const balanceMs = config.balanceTimeS * 1000;

  /** B-27 per module: fresh, no chip fault, both temperatures known and inside the window. */
  const moduleMayBleed = (m: ModuleInput) =>
    !m.stale &&
    !m.chipFault &&
    m.temperaturesC.length > 0 &&
    m.temperaturesC.every((t) => Number.isFinite(t) && t >= lowC && t <= highC);

  const measuring = (string: StringInput, sinceMs: number): StringBalancing => ({
    phase: 'MEASURE',
    sinceMs,
    modules: string.modules.map(idle),
  });

  /** B-26; `now` (balance now) leaves out the voltage floor. */
  const select = (string: StringInput, now: boolean): ModuleBalancing[] => {
    const minV = stringMinimumV(string);
    const floorV = now ? Number.NEGATIVE_INFINITY : config.balanceVoltageV;
    return string.modules.map((m) =>
      moduleBalancing(
        m,
        Array.from({ length: CELLS_PER_MODULE }, (_, i) => {
          const v = m.cellVoltagesV[i];
          return moduleMayBleed(m) && v >= floorV && v - minV >= config.balanceDifferenceV;
        }),
      ),
    );
  };

  /**
   * During BALANCE the decision stands (B-28) but protection still acts on every scan: a module
   * that may no longer bleed stops, and so does a cell that is no longer above the string minimum.
   */
  const keep = (previous: StringBalancing, string: StringInput): ModuleBalancing[] => {
    const minV = stringMinimumV(string);
    return string.modules.map((m, index) => {
      const decided = previous.modules[index];
      if (!moduleMayBleed(m) || decided.address !== m.address) return idle(m);
      return moduleBalancing(
        m,
        decided.cells.map((on, i) => on && m.cellVoltagesV[i] > minV),
      );
    });
  };

  const stepString = (
    previous: StringBalancing | undefined,
    string: StringInput,
    scanAtMs: number,
    nowMs: number,
    now: boolean,
  ): StringBalancing => {
    if (previous === undefined || previous.modules.length !== string.modules.length) {
      return measuring(string, nowMs);
    }
    if (previous.phase === 'BALANCE') {
      if (nowMs - previous.sinceMs >= balanceMs) return measuring(string, nowMs);
      return { ...previous, modules: keep(previous, string) };
    }
    // Decide only from a scan converted after the cells rested for the whole MEASURE time.
    if (scanAtMs - previous.sinceMs < measureMs) return measuring(string, previous.sinceMs);
    const modules = select(string, now);
    return modules.some((m) => m.mask !== 0)
      ? { phase: 'BALANCE', sinceMs: nowMs, modules }
      : measuring(string, previous.sinceMs);
  };

  return {
    initial: (): BalancingState => ({ strings: [] }),
    /** `now`: an operator asked to balance now (BalanceNowCommand), for this step only. */
    step: (state: BalancingState, inputs: BalancingInputs, nowMs: number, now = false): BalancingState => {
      if (!config.balancingEnabled || inputs.faults.faultActive) {
        // B-27: nothing bleeds; the rest starts again from now.
        return { strings: inputs.strings.map((s) => measuring(s, nowMs)) };
      }
      return {
        strings: inputs.strings.map((s, i) => stepString(state.strings[i], s, inputs.scanAtMs, nowMs, now)),
      };
    },
  };
}

export interface BalancingOptions {
  /** The initial configuration. */
  readonly config: ControlConfig;
  /**
   * Later configurations (live settings): each applies from the next input on; every
   * state carries over.
   */
  readonly config$?: Observable<ControlConfig>;
  readonly clock: Clock;
  /** An operator's "balance now": it applies to the next input. */
  readonly commands$?: Observable<BalanceNowCommand>;
}

/**
 * Per-string balancing decisions, one emission per input. The masks are what the controller
 * writes to CB_CTRL after the next scan's conversion (tesla-bq76pl536a.md T-22). Each input is
 * stepped under the latest settings of `config$`, from the state the previous settings left.
 */
export function balanceCells(
  inputs$: Observable<BalancingInputs>,
  options: BalancingOptions,
): Observable<BalancingState> {
  const initial = createBalancer(options.config);
  const balancers$ = liveControlConfigs(options.config, options.config$).pipe(
    map(createBalancer),
    startWith(initial),
  );
  // A command waits for the next input; that input's step takes it, and the state is emitted.
  const steps$ = inputs$.pipe(
    withLatestFrom(balancers$),
    map(([inputs, balancer]) => ({ inputs, balancer })),
  );
  const requests$ = (options.commands$ ?? EMPTY).pipe(map(() => null));
  return merge(requests$, steps$).pipe(
    scan(
      (acc, event) =>
        event === null
          ? { ...acc, now: true, emit: false }
          : {
              state: event.balancer.step(acc.state, event.inputs, options.clock.now(), acc.now),
              now: false,
              emit: true,
            },
      { state: initial.initial(), now: false, emit: false },
    ),
    filter((acc) => acc.emit),
    map((acc) => acc.state),
  );
}
