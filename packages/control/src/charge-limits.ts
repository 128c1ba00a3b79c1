import { combineLatest, distinctUntilChanged, filter, map, type Observable } from 'rxjs';
import type { Clock } from '@tsbms/hal';
import type { ControlConfig } from './config';
import { runClockedMachine, type ClockedMachine } from './clocked-machine';
import type { ContactorSequenceStatus } from './contactors';
import {
  chargeCurrentTables,
  dischargeCurrentTables,
  initialCurrentLimit,
  stepCurrentLimit,
  type CurrentLimitContext,
  type CurrentLimitState,
} from './current-limit';
import { anyModuleStale, type ControlInputs } from './inputs';
import { liveControlConfigs } from './live-config';
import { clamp, floorToStep } from './rounding';
import {
  initialVoltageLimit,
  publishedVoltageLimitV,
  stepVoltageLimit,
  type VoltageLimitState,
} from './voltage-limit';

/** What `limits$` publishes (the Victron 0x351 values). */
export interface ChargeLimits {
  /** Charge voltage limit, V: rounded down to 0.1 V, never 0. */
  readonly cvlV: number;
  /** Charge current limit, A: 0.1 A steps, 0..maxChargeCurrentA. */
  readonly cclA: number;
  /** Discharge current limit, A: 0.1 A steps, 0..maxDischargeCurrentA. */
  readonly dclA: number;
  /** While CCL is held at 0: the tables (or `blocked`, `operator`, `startup`) that zeroed it. */
  readonly chargeZeroedBy: readonly string[];
  readonly dischargeZeroedBy: readonly string[];
}

export interface LimitsEvent {
  readonly inputs: ControlInputs;
  readonly contactorsClosed: boolean;
}

export interface LimitsMachineState {
  readonly ccl: CurrentLimitState;
  readonly dcl: CurrentLimitState;
  readonly cvl: VoltageLimitState;
  readonly event: LimitsEvent | null;
  readonly limits: ChargeLimits | null;
  readonly atMs: number;
}

function publishedCurrentA(state: CurrentLimitState, maxA: number): number {
  return floorToStep(clamp(state.valueA, 0, maxA), 0.1);
}

/** CVL, CCL and DCL (§4.2, §4.3) as a pure machine; see {@link chargeLimits}. */
export function chargeLimitsMachine(config: ControlConfig): ClockedMachine<LimitsEvent, LimitsMachineState> {
  const chargeTables = chargeCurrentTables(config);
  const dischargeTables = dischargeCurrentTables(config);
  const watchdogMs = config.commsTimeoutS * 1000;
  const freshMs = 2 * config.pollIntervalS * 1000;
  const holdMs = config.chargeHysteresisTimeS * 1000;

  return {
    initial: (nowMs) => ({
      ccl: initialCurrentLimit(nowMs),
      dcl: initialCurrentLimit(nowMs),
      cvl: initialVoltageLimit,
      event: null,
      limits: null,
      atMs: nowMs,
    }),
    step: (state, event, nowMs) => {
      const current = event ?? state.event;
      if (current === null) return state;
      const { inputs } = current;
      const scanAgeMs = nowMs - inputs.scanAtMs;
      // B-22, B-42: faults, contactors not closed and a silent bus all force 0.
      const blocked =
        inputs.faults.faultActive ||
        (config.contactorControl && !current.contactorsClosed) ||
        scanAgeMs >= watchdogMs;
      const fallOnly = anyModuleStale(inputs) || scanAgeMs >= freshMs;
      const context = (tables: CurrentLimitContext['tables'], maxCurrentA: number, allowed: boolean) => ({
        tables,
        maxCurrentA,
        blocked,
        allowed,
        fallOnly,
        holdMs,
        rampAps: config.currentRampAps,
      });
      // The operator switches only zero a limit; the contactors do not see them.
      const ccl = stepCurrentLimit(
        state.ccl,
        inputs,
        context(chargeTables, config.maxChargeCurrentA, config.chargeAllowed),
        nowMs,
      );
      const dcl = stepCurrentLimit(
        state.dcl,
        inputs,
        context(dischargeTables, config.maxDischargeCurrentA, config.dischargeAllowed),
        nowMs,
      );
      const cvl = stepVoltageLimit(
        state.cvl,
        {
          highestCellV: inputs.highestCellV,
          packVoltageV: inputs.packVoltageV,
          chargeBlocked: ccl.phase !== 'ramp',
          fallOnly,
        },
        config,
        nowMs,
      );
      const limits: ChargeLimits = {
        cvlV: publishedVoltageLimitV(cvl, config),
        cclA: publishedCurrentA(ccl, config.maxChargeCurrentA),
        dclA: publishedCurrentA(dcl, config.maxDischargeCurrentA),
        chargeZeroedBy: ccl.phase === 'zero' ? ccl.zeroedBy : [],
        dischargeZeroedBy: dcl.phase === 'zero' ? dcl.zeroedBy : [],
      };
      return { ccl, dcl, cvl, event: current, limits, atMs: nowMs };
    },
    wakeAtMs: (state) => {
      const watchdogAtMs = state.event ? state.event.inputs.scanAtMs + watchdogMs : null;
      return watchdogAtMs !== null && watchdogAtMs > state.atMs ? watchdogAtMs : null;
    },
  };
}

function sameLimits(a: ChargeLimits, b: ChargeLimits): boolean {
  return (
    a.cvlV === b.cvlV &&
    a.cclA === b.cclA &&
    a.dclA === b.dclA &&
    a.chargeZeroedBy.join() === b.chargeZeroedBy.join() &&
    a.dischargeZeroedBy.join() === b.dischargeZeroedBy.join()
  );
}

export interface ChargeLimitOptions {
  /** The initial configuration. */
  readonly config: ControlConfig;
  /**
   * Later configurations (live settings): each applies from the next input or timer wake on; every
   * state carries over.
   */
  readonly config$?: Observable<ControlConfig>;
  readonly clock: Clock;
}

/**
 * CVL/CCL/DCL from the pack and the contactor state. Re-evaluated on every input and when no scan
 * has completed for `commsTimeoutS` (then CCL = DCL = 0 and CVL is held). Emits when a value changes.
 */
export function chargeLimits(
  inputs$: Observable<ControlInputs>,
  contactors$: Observable<Pick<ContactorSequenceStatus, 'state'>>,
  options: ChargeLimitOptions,
): Observable<ChargeLimits> {
  const closed$ = contactors$.pipe(
    map((status) => status.state === 'CLOSED'),
    distinctUntilChanged(),
  );
  const events$ = combineLatest([inputs$, closed$]).pipe(
    map(
      ([inputs, contactorsClosed]): LimitsEvent => ({
        inputs,
        contactorsClosed,
      }),
    ),
  );
  const machines$ = liveControlConfigs(options.config, options.config$).pipe(map(chargeLimitsMachine));
  return runClockedMachine(events$, chargeLimitsMachine(options.config), options.clock, machines$).pipe(
    map((state) => state.limits),
    filter((limits): limits is ChargeLimits => limits !== null),
    distinctUntilChanged(sameLimits),
  );
}
