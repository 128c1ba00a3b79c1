import type { BusStats } from '@tsbms/tesla-protocol';
import type { ConfigUpdate, OutputContext, OutputService, RestartDecision } from '@tsbms/bms-core';
import type { ControllerConfig } from '../config';

export type { RestartDecision };

/**
 * What the supervisor offers the outputs, over the whole controller: @tsbms/bms-core's
 * OutputContext (documented there) with the controller's own configuration and the Tesla loop's
 * counters in their own types. Each output gets an OutputContext of its own made from this one,
 * with its part of the configuration as `settings()` (output-services.ts).
 */
export interface ControllerContext
  extends Omit<OutputContext<ControllerConfig>, 'settings' | 'configuration' | 'linkStats'> {
  /** The running configuration (file, environment and command line). */
  config(): ControllerConfig;
  /** The one validated path for run-time changes: ConfigurationAccess.update of bms-core. */
  updateConfig(patch: unknown, source: string): ControllerConfigUpdate;
  /** Serial-loop counters (T-5), per address as well. */
  commsStats(): BusStats;
}

/** The outcome of an accepted config change, with the controller's configuration. */
export interface ControllerConfigUpdate extends ConfigUpdate {
  /** The running configuration from the restart on (unchanged for a no-op). */
  readonly config: ControllerConfig;
}

/** A running output. `stop()` releases everything it holds (sockets, timers, subscriptions). */
export type ControllerService = OutputService;

/**
 * Starts an output from the controller's context; null when its config section switches it off. An
 * output that cannot start throws: the controller logs it and runs on without it (an output is
 * never a reason to stop the BMS).
 */
export type ServiceFactory = (context: ControllerContext) => Promise<ControllerService | null>;
