import { shareReplay, type Observable } from 'rxjs';
import { requireClock, requireObject, requireObservable, type Clock } from '@tsbms/hal';
import { balanceCells, type BalanceNowCommand, type BalancingState } from './balancing';
import { chargeLimits, type ChargeLimits } from './charge-limits';
import type { ControlConfig } from './config';
import { sequenceContactors, type ContactorCommand, type ContactorSequenceStatus } from './contactors';
import { controlHeating, type HeatingStatus } from './heating';
import type { ControlInputs } from './inputs';

export interface ControlOptions {
  /** The initial configuration. */
  readonly config: ControlConfig;
  /**
   * Later configurations (live settings): each applies from the next input or timer wake on; every
   * state carries over. A change of `moduleCount` or `parallelStringCount` errors the outputs.
   */
  readonly config$?: Observable<ControlConfig>;
  readonly clock: Clock;
  readonly contactorCommands$?: Observable<ContactorCommand>;
  /** An operator's "balance now" (BalanceNowCommand): the next scan decides without the voltage floor. */
  readonly balancingCommands$?: Observable<BalanceNowCommand>;
  /** When energised contactors were last opened before this start (B-11 lockout across restarts). */
  readonly contactorsLastOpenedAtMs?: number | null;
}

export interface ControlOutputs {
  readonly contactors$: Observable<ContactorSequenceStatus>;
  readonly limits$: Observable<ChargeLimits>;
  readonly balancing$: Observable<BalancingState>;
  readonly heating$: Observable<HeatingStatus>;
}

/**
 * All control strategies over one input stream, wired as in design.md: the limits follow the
 * contactor state. `inputs$` is subscribed once however many outputs are used.
 */
export function createControl(inputs$: Observable<ControlInputs>, options: ControlOptions): ControlOutputs {
  requireControlArguments(inputs$, options);
  const shared$ = inputs$.pipe(shareReplay({ bufferSize: 1, refCount: true }));
  // One subscription for all outputs; replayed, so an output subscribed after a change still gets it.
  const config$ = options.config$?.pipe(shareReplay({ bufferSize: 1, refCount: true }));
  const strategyOptions = { config: options.config, config$, clock: options.clock };
  const contactors$ = sequenceContactors(shared$, {
    ...strategyOptions,
    commands$: options.contactorCommands$,
    lastOpenedAtMs: options.contactorsLastOpenedAtMs,
  }).pipe(shareReplay({ bufferSize: 1, refCount: true }));
  return {
    contactors$,
    limits$: chargeLimits(shared$, contactors$, strategyOptions),
    balancing$: balanceCells(shared$, { ...strategyOptions, commands$: options.balancingCommands$ }),
    heating$: controlHeating(shared$, strategyOptions),
  };
}

/** Plain JavaScript callers get no type checks: a wrong clock or stream fails here, not at the first input. */
function requireControlArguments(inputs$: unknown, options: ControlOptions): void {
  requireObservable(inputs$, 'inputs$');
  requireObject(options, 'options', 'control options ({ config, clock, ... })');
  requireObject(options.config, 'options.config', 'the result of buildControlConfig()');
  requireClock(options.clock, 'options.clock');
  if (options.config$ !== undefined) {
    requireObservable(options.config$, 'options.config$');
  }
  if (options.contactorCommands$ !== undefined) {
    requireObservable(options.contactorCommands$, 'options.contactorCommands$');
  }
  if (options.balancingCommands$ !== undefined) {
    requireObservable(options.balancingCommands$, 'options.balancingCommands$');
  }
}
