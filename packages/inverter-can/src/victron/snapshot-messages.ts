import type { MeasurementsMessage, StateOfChargeMessage } from './messages';
import type { VictronBmsSnapshot } from './snapshot';

const percent = (value: number) => Math.min(100, Math.max(0, value));

/**
 * 0x355 from a snapshot, as every profile sends it (Victron, Pylontech, SMA share its layout):
 * SoC and SoH held to 0..100 %, the high-resolution SoC the same SoC (V-13, S-4; Pylontech's
 * encoder leaves it out, P-2).
 */
export function stateOfChargeMessage(s: VictronBmsSnapshot): Required<StateOfChargeMessage> {
  const soc = percent(s.stateOfChargePercent);
  return {
    kind: 'stateOfCharge',
    stateOfChargePercent: soc,
    stateOfHealthPercent: percent(s.stateOfHealthPercent),
    stateOfChargeHighResPercent: soc,
  };
}

/** 0x356 from a snapshot; without a current sensor the current is sent as 0. */
export function measurementsMessage(s: VictronBmsSnapshot): MeasurementsMessage {
  return {
    kind: 'measurements',
    batteryVoltageV: s.batteryVoltageV,
    batteryCurrentA: s.batteryCurrentA ?? 0,
    batteryTemperatureC: s.batteryTemperatureC,
  };
}
