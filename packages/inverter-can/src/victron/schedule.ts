import type { CanFrame } from '@tsbms/hal';
import type { Observable } from 'rxjs';
import { VictronFrameId } from './frame-ids';
import {
  encodeEach,
  publishEveryPeriod,
  requireScheduleArguments,
  type ScheduleAnomaly,
  type ScheduleOptions,
} from '../frame-schedule';
import {
  encodeVictronMessage,
  type ChargeLimitsMessage,
  type TextField,
  type VictronMessage,
} from './messages';
import { measurementsMessage, stateOfChargeMessage } from './snapshot-messages';
import {
  chargeVoltageFloorV,
  type ChargeVoltageFloorFacts,
  type VictronBatteryIdentity,
  type VictronBmsSnapshot,
} from './snapshot';

export type { ScheduleAnomaly, ScheduleOptions } from '../frame-schedule';

/** victron-can-bms.md §4: fast frames every second, the rest every 5 s and 10 s. */
export const FAST_PERIOD_MS = 1000;
const SLOW_EVERY_TICKS = 5;
const IDENTITY_EVERY_TICKS = 10;

/**
 * The limits frame, made safe: CVL is never below Ns × low setpoint (V-7), a current limit that is
 * not a finite non-negative number becomes 0 (V-8), and limits that cannot be encoded at all give
 * way to "stop charging and discharging" (floor, 0 A, 0 A). A bug upstream thus reduces power
 * rather than dropping the frame: silence would stop the whole system without a reason (V-5).
 * Every profile's 0x351 has this layout (P-2, S-2); `encode` is the profile's encoder, which may
 * adjust the limits further (SMA's accepted ranges) and may refuse them, giving way to the fallback.
 */
export function encodeSafeChargeLimits(
  snapshot: VictronBmsSnapshot,
  identity: ChargeVoltageFloorFacts,
  onAnomaly: (anomaly: ScheduleAnomaly) => void = () => undefined,
  encode: (limits: ChargeLimitsMessage) => CanFrame = encodeVictronMessage,
): CanFrame {
  const floorV = chargeVoltageFloorV(identity);
  const report = (message: string) => onAnomaly({ canId: VictronFrameId.CHARGE_LIMITS, message });
  let cvlV = snapshot.chargeVoltageLimitV;
  if (!(cvlV >= floorV)) {
    report(`CVL ${cvlV} V below the floor ${floorV} V: sent the floor`);
    cvlV = floorV;
  }
  const currentLimit = (field: string, valueA: number) => {
    if (valueA >= 0 && Number.isFinite(valueA)) return valueA;
    report(`${field} ${valueA} A is not a non-negative number: sent 0`);
    return 0;
  };
  const limits = (chargeVoltageLimitV: number, chargeCurrentLimitA: number, dischargeCurrentLimitA: number) =>
    encode({
      kind: 'chargeLimits',
      chargeVoltageLimitV,
      chargeCurrentLimitA,
      dischargeCurrentLimitA,
      dischargeVoltageLimitV: floorV,
    });
  try {
    return limits(
      cvlV,
      currentLimit('CCL', snapshot.chargeCurrentLimitA),
      currentLimit('DCL', snapshot.dischargeCurrentLimitA),
    );
  } catch (error) {
    report(`${(error as Error).message}: sent CVL ${floorV} V, CCL 0 A, DCL 0 A`);
    return limits(floorV, 0, 0);
  }
}

function fastMessages(s: VictronBmsSnapshot): VictronMessage[] {
  return [stateOfChargeMessage(s), measurementsMessage(s), { kind: 'alarms', ...s.alarms }];
}

function slowMessages(s: VictronBmsSnapshot, identity: VictronBatteryIdentity): VictronMessage[] {
  const messages: VictronMessage[] = [
    { kind: 'manufacturer', name: identity.manufacturerName },
    {
      kind: 'identity',
      modelId: identity.modelId,
      firmwareMajor: identity.firmwareMajor,
      firmwareMinor: identity.firmwareMinor,
      onlineCapacityAh: s.onlineCapacityAh,
    },
    {
      kind: 'moduleCounts',
      modulesOnline: s.modulesOnline,
      modulesBlockingCharge: null,
      modulesBlockingDischarge: null,
      modulesOffline: s.modulesOffline,
    },
    {
      kind: 'cellExtremes',
      lowestCellVoltageV: s.lowestCellVoltageV,
      highestCellVoltageV: s.highestCellVoltageV,
      lowestTemperatureC: s.lowestTemperatureC,
      highestTemperatureC: s.highestTemperatureC,
    },
  ];
  const ids: Array<[TextField, string | null]> = [
    ['lowestCellId', s.lowestCellId],
    ['highestCellId', s.highestCellId],
    ['lowestTemperatureId', s.lowestTemperatureId],
    ['highestTemperatureId', s.highestTemperatureId],
  ];
  for (const [field, text] of ids) if (text !== null) messages.push({ kind: 'text', field, text });
  if (s.energyChargedKWh !== null && s.energyDischargedKWh !== null) {
    // The u32 counters wrap (§2).
    const wrapKWh = 2 ** 32 / 10;
    messages.push({
      kind: 'energy',
      energyChargedKWh: s.energyChargedKWh % wrapKWh,
      energyDischargedKWh: s.energyDischargedKWh % wrapKWh,
    });
  }
  messages.push({ kind: 'installedCapacity', installedCapacityAh: s.installedCapacityAh });
  return messages;
}

function identityMessages(identity: VictronBatteryIdentity): VictronMessage[] {
  const messages: VictronMessage[] = [];
  const name = identity.batteryName ?? '';
  if (name.length > 8) {
    messages.push({ kind: 'text', field: 'namePart1', text: name.slice(0, 8) });
    messages.push({ kind: 'text', field: 'namePart2', text: name.slice(8, 16) });
  }
  if (identity.serialNumber) {
    messages.push({ kind: 'text', field: 'serialPart1', text: identity.serialNumber.slice(0, 8) });
    messages.push({ kind: 'text', field: 'serialPart2', text: identity.serialNumber.slice(8, 16) });
  }
  if (identity.productFamily)
    messages.push({ kind: 'text', field: 'productFamily', text: identity.productFamily });
  return messages;
}

/** The frames due at a tick (tick 0 is the first snapshot); the limits frame first. */
export function framesForTick(
  tick: number,
  snapshot: VictronBmsSnapshot,
  identity: VictronBatteryIdentity,
  onAnomaly?: (anomaly: ScheduleAnomaly) => void,
): CanFrame[] {
  const messages = fastMessages(snapshot);
  if (tick % SLOW_EVERY_TICKS === 0) messages.push(...slowMessages(snapshot, identity));
  if (tick % IDENTITY_EVERY_TICKS === 0) messages.push(...identityMessages(identity));
  // A bad value drops that frame only; the limits frame always goes out, first.
  return [
    encodeSafeChargeLimits(snapshot, identity, onAnomaly),
    ...encodeEach(messages, encodeVictronMessage, onAnomaly),
  ];
}

/**
 * The publisher schedule: nothing before the first snapshot (V-5), then every second the frames
 * due, built from the latest snapshot, for as long as it is subscribed — also while the pack is
 * faulted (the snapshot then carries zero current limits and the alarm bits).
 */
export function victronFrameSchedule(
  snapshots$: Observable<VictronBmsSnapshot>,
  identity: VictronBatteryIdentity,
  options: ScheduleOptions,
): Observable<CanFrame> {
  requireScheduleArguments(snapshots$, identity, 'a VictronBatteryIdentity', options);
  return publishEveryPeriod(snapshots$, FAST_PERIOD_MS, options.scheduler, (tick, snapshot) =>
    framesForTick(tick, snapshot, identity, options.onAnomaly),
  );
}
