import { flagsMeaning } from '@tsbms/pack-reading';
import type { ModuleState, PackState } from '@tsbms/battery-model';
import type { ContactorStatus, FaultInput, FaultSet } from '@tsbms/fault-engine';
import type { ContactorSequenceStatus, RelayOutputs } from './contactors';
import type { ControlInputs, FaultSummary, ModuleInput } from './inputs';

/** What neither the pack nor the fault set knows. */
export interface ControlContext {
  /** The latest discovery found the configured module count. */
  readonly discoveryMatched: boolean;
  readonly shutdownRequested: boolean;
}

/** Reduces the fault engine's set to what control acts on. */
export function summariseFaults(faults: FaultSet): FaultSummary {
  const active = faults.faults;
  return {
    faultActive: active.some((f) => f.level === 'fault'),
    overTemperatureWarning: active.some(
      (f) => f.kind === 'overTemperature' && (f.level === 'warning' || f.level === 'fault'),
    ),
    temperatureImplausible: active.some(
      (f) => f.kind === 'sensorImplausible' && f.location.quantity === 'temperature',
    ),
  };
}

/** A rejected or unknown value becomes NaN: control never balances or heats on it. */
function moduleInput(module: ModuleState): ModuleInput {
  const usable = (v: { value: number | null; implausible: boolean }) =>
    v.value === null || v.implausible ? NaN : v.value;
  return {
    address: module.address,
    cellVoltagesV: module.cells.map(usable),
    temperaturesC: module.temperatures.map(usable),
    stale: module.stale || module.offline,
    // The chip bits the fault engine treats as fault level (bms-behaviour.md §2.3).
    chipFault: flagsMeaning('fault', module.hardwareFlags).length > 0,
    balanceTimerRunning: module.balanceTimerRunning,
  };
}

/** Maps a battery-model snapshot and a fault-engine set onto the control inputs. */
export function fromPackAndFaults(pack: PackState, faults: FaultSet, context: ControlContext): ControlInputs {
  const byAddress = new Map(pack.modules.map((m) => [m.address, m]));
  const stats = pack.statistics;
  return {
    scanAtMs: pack.timestampMs,
    discoveryMatched: context.discoveryMatched,
    strings: pack.strings.map((s) => ({
      modules: s.moduleAddresses
        .map((address) => byAddress.get(address))
        .filter((m): m is ModuleState => m !== undefined)
        .map(moduleInput),
    })),
    packVoltageV: pack.packVoltageV,
    highestCellV: stats.maxCell?.value ?? null,
    lowestCellV: stats.minCell?.value ?? null,
    highestTemperatureC: stats.maxTemperature?.value ?? null,
    lowestTemperatureC: stats.minTemperature?.value ?? null,
    socPercent: pack.soc.socPercent,
    faults: summariseFaults(faults),
    busVoltageV: pack.busVoltageV,
    currentA: pack.currentA,
    shutdownRequested: context.shutdownRequested,
  };
}

const RELAY_NAMES: readonly (keyof RelayOutputs)[] = ['negative', 'precharge', 'positive'];

/**
 * What the fault engine needs from the sequencer: each relay's command (with its feedback input
 * when the hardware has one) and the failed precharge attempts (prechargeFailure, B-12).
 */
export function contactorFaultInput(
  status: ContactorSequenceStatus,
  feedbackClosed: Partial<Record<keyof RelayOutputs, boolean | null>> = {},
): Pick<FaultInput, 'contactors' | 'prechargeFailedAttempts'> {
  const contactors: ContactorStatus[] = RELAY_NAMES.map((name) => ({
    name,
    commandedClosed: status.relays[name],
    feedbackClosed: feedbackClosed[name] ?? null,
  }));
  return { contactors, prechargeFailedAttempts: status.failedAttempts };
}
