import { distinctUntilChanged, EMPTY, map, merge, type Observable } from 'rxjs';
import type { Clock } from '@tsbms/hal';
import type { ControlConfig } from './config';
import type { ClockedMachine } from './clocked-machine';
import { runClockedMachine } from './clocked-machine';
import type { ControlInputs } from './inputs';
import { liveControlConfigs } from './live-config';

/**
 * The states of §3 plus the two ways a closing attempt ends badly: RETRY_WAIT (an attempt failed,
 * all open, retry after `prechargeRetryWaitS`) and PRECHARGE_FAILED (the last allowed attempt
 * failed; open until an operator resets it).
 */
export type ContactorStateName =
  | 'OPEN'
  | 'NEGATIVE'
  | 'PRECHARGE'
  | 'OVERLAP'
  | 'CLOSED'
  | 'RETRY_WAIT'
  | 'PRECHARGE_FAILED';

/** Desired relay outputs: true = energised (closed). De-energised means open. */
export interface RelayOutputs {
  readonly negative: boolean;
  readonly precharge: boolean;
  readonly positive: boolean;
}

const ALL_OPEN: RelayOutputs = Object.freeze({
  negative: false,
  precharge: false,
  positive: false,
});

/** The §3 table. */
export const RELAYS_BY_STATE: Readonly<Record<ContactorStateName, RelayOutputs>> = Object.freeze({
  OPEN: ALL_OPEN,
  NEGATIVE: Object.freeze({
    negative: true,
    precharge: false,
    positive: false,
  }),
  PRECHARGE: Object.freeze({
    negative: true,
    precharge: true,
    positive: false,
  }),
  OVERLAP: Object.freeze({ negative: true, precharge: true, positive: true }),
  CLOSED: Object.freeze({ negative: true, precharge: false, positive: true }),
  RETRY_WAIT: ALL_OPEN,
  PRECHARGE_FAILED: ALL_OPEN,
});

export type OpenReason =
  | 'startup'
  | 'shutdown'
  | 'fault'
  | 'watchdog'
  | 'notPermitted'
  | 'prechargeAttemptFailed'
  | 'prechargeFailed'
  | 'testMode';

/** What `contactors$` publishes. */
export interface ContactorSequenceStatus {
  readonly state: ContactorStateName;
  readonly sinceMs: number;
  readonly relays: RelayOutputs;
  /** Why the contactors last went (or stayed) open. */
  readonly openReason: OpenReason;
  /** Failed precharge attempts since the last successful close or reset. */
  readonly failedAttempts: number;
  /** The retry limit was reached: the fault engine raises prechargeFailure from this (B-12). */
  readonly prechargeFailed: boolean;
  /** The last precharge: true = verified against the bus voltage, false = timed (unverified). */
  readonly prechargeVerified: boolean | null;
  readonly testMode: boolean;
  /**
   * Last time energised relays were opened: the anti-chatter lockout counts from it (B-11). A
   * sequencer started after an in-process restart is given the previous one's.
   */
  readonly lastOpenedAtMs: number | null;
}

export type ContactorCommand =
  /** Test mode: advance one state (B-15). */
  | { readonly kind: 'step' }
  | { readonly kind: 'setTestMode'; readonly enabled: boolean }
  /** Leave PRECHARGE_FAILED (the operator also clears the latched fault). */
  | { readonly kind: 'resetPrechargeFailure' };

export type ContactorInputs = Pick<
  ControlInputs,
  | 'scanAtMs'
  | 'discoveryMatched'
  | 'faults'
  | 'shutdownRequested'
  | 'packVoltageV'
  | 'busVoltageV'
  | 'currentA'
>;

export type ContactorEvent =
  | { readonly kind: 'inputs'; readonly inputs: ContactorInputs }
  | { readonly kind: 'command'; readonly command: ContactorCommand };

export interface ContactorMachineState {
  readonly status: ContactorSequenceStatus;
  readonly inputs: ContactorInputs | null;
  /** When the precharge success condition started to hold without a break. */
  readonly prechargeOkSinceMs: number | null;
  readonly atMs: number;
}

const SEQUENCING: readonly ContactorStateName[] = ['NEGATIVE', 'PRECHARGE', 'OVERLAP'];

function isEnergised(state: ContactorStateName): boolean {
  return SEQUENCING.includes(state) || state === 'CLOSED';
}

/**
 * The contactor sequencer of §3 as a pure machine; see {@link sequenceContactors}.
 * `lastOpenedAtMs`: when a previous sequencer (before an in-process restart) last opened energised
 * relays, so that the anti-chatter lockout (B-11) also holds across the restart.
 */
export function contactorMachine(
  config: ControlConfig,
  lastOpenedAtMs: number | null = null,
): ClockedMachine<ContactorEvent, ContactorMachineState> {
  const watchdogMs = config.commsTimeoutS * 1000;
  const freshMs = 2 * config.pollIntervalS * 1000;

  const enter = (
    m: ContactorMachineState,
    state: ContactorStateName,
    nowMs: number,
    patch: Partial<ContactorSequenceStatus> = {},
  ): ContactorMachineState => ({
    ...m,
    status: {
      ...m.status,
      ...patch,
      state,
      sinceMs: nowMs,
      relays: RELAYS_BY_STATE[state],
      lastOpenedAtMs: isEnergised(m.status.state) && !isEnergised(state) ? nowMs : m.status.lastOpenedAtMs,
    },
    prechargeOkSinceMs: null,
  });

  const open = (m: ContactorMachineState, reason: OpenReason, nowMs: number) => {
    const state = m.status.state;
    if (state === 'OPEN' || state === 'PRECHARGE_FAILED') return m;
    return enter(m, 'OPEN', nowMs, { openReason: reason });
  };

  /** B-13: reasons that open everything at once, in any state. */
  const forcedOpenReason = (inputs: ContactorInputs, nowMs: number): OpenReason | null => {
    if (inputs.shutdownRequested) return 'shutdown';
    if (inputs.faults.faultActive) return 'fault';
    if (nowMs - inputs.scanAtMs >= watchdogMs) return 'watchdog';
    return null;
  };

  /** B-11 without the lockout: what a closing sequence needs to keep going. */
  const sequencePermitted = (inputs: ContactorInputs, nowMs: number) =>
    config.contactorControl && inputs.discoveryMatched && nowMs - inputs.scanAtMs < freshMs;

  const closePermitted = (m: ContactorMachineState, inputs: ContactorInputs, nowMs: number) =>
    sequencePermitted(inputs, nowMs) &&
    (m.status.lastOpenedAtMs === null || nowMs - m.status.lastOpenedAtMs >= config.contactorLockoutS * 1000);

  const prechargeConditionHolds = (inputs: ContactorInputs): boolean => {
    const { packVoltageV, busVoltageV, currentA } = inputs;
    if (packVoltageV === null || busVoltageV === null) return false;
    const voltageOk = Math.abs(packVoltageV - busVoltageV) <= config.prechargeVoltageWindowV;
    const currentOk = currentA === null || Math.abs(currentA) <= config.prechargeCurrentWindowA;
    return voltageOk && currentOk;
  };

  const failAttempt = (m: ContactorMachineState, nowMs: number) => {
    const failedAttempts = m.status.failedAttempts + 1;
    // A failed attempt is governed by the retry wait, not by the anti-chatter lockout.
    const opened =
      failedAttempts >= config.prechargeMaxAttempts
        ? enter(m, 'PRECHARGE_FAILED', nowMs, {
            failedAttempts,
            openReason: 'prechargeFailed',
            prechargeFailed: true,
          })
        : enter(m, 'RETRY_WAIT', nowMs, {
            failedAttempts,
            openReason: 'prechargeAttemptFailed',
          });
    return { ...opened, status: { ...opened.status, lastOpenedAtMs: m.status.lastOpenedAtMs } };
  };

  const applyCommand = (m: ContactorMachineState, command: ContactorCommand, nowMs: number) => {
    if (command.kind === 'setTestMode') {
      if (command.enabled === m.status.testMode) return m;
      const switched = {
        ...m,
        status: { ...m.status, testMode: command.enabled },
      };
      return isEnergised(m.status.state) || m.status.state === 'RETRY_WAIT'
        ? enter(switched, 'OPEN', nowMs, { openReason: 'testMode' })
        : switched;
    }
    if (command.kind === 'resetPrechargeFailure' && m.status.state === 'PRECHARGE_FAILED') {
      return enter(m, 'OPEN', nowMs, {
        failedAttempts: 0,
        prechargeFailed: false,
      });
    }
    return m;
  };

  const advance = (
    m: ContactorMachineState,
    inputs: ContactorInputs,
    stepRequested: boolean,
    nowMs: number,
  ): ContactorMachineState => {
    const { state, sinceMs, testMode } = m.status;
    const elapsedMs = nowMs - sinceMs;
    // In test mode the operator's step replaces every timer that moves the sequence forward.
    const goOn = (durationS: number) => (testMode ? stepRequested : elapsedMs >= durationS * 1000);
    if (SEQUENCING.includes(state) && !sequencePermitted(inputs, nowMs)) {
      return open(m, 'notPermitted', nowMs);
    }
    switch (state) {
      case 'OPEN':
        return (testMode ? stepRequested : true) && closePermitted(m, inputs, nowMs)
          ? enter(m, 'NEGATIVE', nowMs)
          : m;
      case 'NEGATIVE':
        return goOn(config.contactorNegativeTimeS) ? enter(m, 'PRECHARGE', nowMs) : m;
      case 'PRECHARGE':
        return advancePrecharge(m, inputs, stepRequested, nowMs);
      case 'OVERLAP':
        return goOn(config.contactorOverlapS) ? enter(m, 'CLOSED', nowMs, { failedAttempts: 0 }) : m;
      case 'RETRY_WAIT':
        if (elapsedMs < config.prechargeRetryWaitS * 1000) return m;
        return !testMode && closePermitted(m, inputs, nowMs)
          ? enter(m, 'NEGATIVE', nowMs)
          : enter(m, 'OPEN', nowMs);
      default:
        return m;
    }
  };

  const advancePrecharge = (
    m: ContactorMachineState,
    inputs: ContactorInputs,
    stepRequested: boolean,
    nowMs: number,
  ): ContactorMachineState => {
    const windowOver = nowMs - m.status.sinceMs >= config.contactorPrechargeTimeS * 1000;
    if (!config.busVoltageSensor) {
      // Timed precharge (B-12): the window elapses; in test mode the operator must step within it.
      if (m.status.testMode ? stepRequested : windowOver) {
        return enter(m, 'OVERLAP', nowMs, { prechargeVerified: false });
      }
      return windowOver ? failAttempt(m, nowMs) : m;
    }
    const okSinceMs = prechargeConditionHolds(inputs) ? (m.prechargeOkSinceMs ?? nowMs) : null;
    const verified = okSinceMs !== null && nowMs - okSinceMs >= config.prechargeHoldS * 1000;
    if (verified && (!m.status.testMode || stepRequested)) {
      return enter(m, 'OVERLAP', nowMs, { prechargeVerified: true });
    }
    if (windowOver) return failAttempt(m, nowMs);
    return okSinceMs === m.prechargeOkSinceMs ? m : { ...m, prechargeOkSinceMs: okSinceMs };
  };

  const wakeAtMs = (m: ContactorMachineState): number | null => {
    const { state, sinceMs, testMode } = m.status;
    const candidates: number[] = [];
    const timer = (durationS: number) => {
      if (!testMode) candidates.push(sinceMs + durationS * 1000);
    };
    if (m.inputs && isEnergised(state)) {
      candidates.push(m.inputs.scanAtMs + watchdogMs);
      if (state !== 'CLOSED') candidates.push(m.inputs.scanAtMs + freshMs);
    }
    switch (state) {
      case 'OPEN':
        if (m.status.lastOpenedAtMs !== null && !testMode) {
          candidates.push(m.status.lastOpenedAtMs + config.contactorLockoutS * 1000);
        }
        break;
      case 'NEGATIVE':
        timer(config.contactorNegativeTimeS);
        break;
      case 'PRECHARGE':
        candidates.push(sinceMs + config.contactorPrechargeTimeS * 1000);
        if (m.prechargeOkSinceMs !== null) {
          candidates.push(m.prechargeOkSinceMs + config.prechargeHoldS * 1000);
        }
        break;
      case 'OVERLAP':
        timer(config.contactorOverlapS);
        break;
      case 'RETRY_WAIT':
        candidates.push(sinceMs + config.prechargeRetryWaitS * 1000);
        break;
    }
    const future = candidates.filter((t) => t > m.atMs);
    return future.length > 0 ? Math.min(...future) : null;
  };

  return {
    initial: (nowMs) => ({
      status: {
        state: 'OPEN',
        sinceMs: nowMs,
        relays: ALL_OPEN,
        openReason: 'startup',
        failedAttempts: 0,
        prechargeFailed: false,
        prechargeVerified: null,
        testMode: false,
        lastOpenedAtMs,
      },
      inputs: null,
      prechargeOkSinceMs: null,
      atMs: nowMs,
    }),
    step: (previous, event, nowMs) => {
      let m: ContactorMachineState = { ...previous, atMs: nowMs };
      if (event?.kind === 'inputs') m = { ...m, inputs: event.inputs };
      if (event?.kind === 'command') m = applyCommand(m, event.command, nowMs);
      if (m.inputs === null) return m;
      const forced = forcedOpenReason(m.inputs, nowMs);
      if (forced !== null) return open(m, forced, nowMs);
      const stepRequested = event?.kind === 'command' && event.command.kind === 'step';
      return advance(m, m.inputs, stepRequested, nowMs);
    },
    wakeAtMs,
  };
}

export interface ContactorOptions {
  /** The initial configuration. */
  readonly config: ControlConfig;
  /**
   * Later configurations (live settings): each applies from the next input or timer wake on; every
   * state carries over.
   */
  readonly config$?: Observable<ControlConfig>;
  readonly clock: Clock;
  /** Operator commands (test mode, step, reset). */
  readonly commands$?: Observable<ContactorCommand>;
  /** When energised relays were last opened before this sequencer started (B-11 across restarts). */
  readonly lastOpenedAtMs?: number | null;
}

/**
 * The contactor sequencer (§3): starts OPEN, closes through NEGATIVE → PRECHARGE → OVERLAP →
 * CLOSED when permitted (B-11), and opens every relay in the same tick on a fault, a shutdown
 * request or when no scan has completed for `commsTimeoutS` (B-13). Emits on every change. New
 * settings on `config$` never reset the sequence: closed contactors stay closed.
 */
export function sequenceContactors(
  inputs$: Observable<ContactorInputs>,
  options: ContactorOptions,
): Observable<ContactorSequenceStatus> {
  const events$ = merge(
    inputs$.pipe(map((inputs): ContactorEvent => ({ kind: 'inputs', inputs }))),
    (options.commands$ ?? EMPTY).pipe(map((command): ContactorEvent => ({ kind: 'command', command }))),
  );
  // `lastOpenedAtMs` only seeds the initial state: a replacement machine keeps the running state.
  const lastOpenedAtMs = options.lastOpenedAtMs ?? null;
  const machines$ = liveControlConfigs(options.config, options.config$).pipe(
    map((config) => contactorMachine(config, lastOpenedAtMs)),
  );
  return runClockedMachine(
    events$,
    contactorMachine(options.config, lastOpenedAtMs),
    options.clock,
    machines$,
  ).pipe(
    map((m) => m.status),
    distinctUntilChanged(),
  );
}
