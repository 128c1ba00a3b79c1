import {
  requireClock,
  requireFiniteNumber,
  requireFunction,
  requireObject,
  requireObservable,
  type CanFrame,
} from '@tsbms/hal';
import {
  type Observable,
  type SchedulerLike,
  concatMap,
  from,
  shareReplay,
  switchMap,
  take,
  timer,
  withLatestFrom,
} from 'rxjs';
import { VictronFrameId } from './frame-ids';
import { FrameEncodeError } from '../field-codec';
import { encodeVictronMessage, type TextField, type VictronMessage } from './messages';
import { chargeVoltageFloorV, type VictronBatteryIdentity, type VictronBmsSnapshot } from './snapshot';

/** victron-can-bms.md §4: fast frames every second, the rest every 5 s and 10 s. */
export const FAST_PERIOD_MS = 1000;
const SLOW_EVERY_TICKS = 5;
const IDENTITY_EVERY_TICKS = 10;

/** Something the schedule corrected instead of sending; the caller logs and counts it. */
export interface ScheduleAnomaly {
  readonly canId: number;
  readonly message: string;
}

export interface ScheduleOptions {
  readonly scheduler: SchedulerLike;
  readonly onAnomaly?: (anomaly: ScheduleAnomaly) => void;
}

/**
 * The limits frame, made safe: CVL is never below Ns × low setpoint (V-7), a current limit that is
 * not a finite non-negative number becomes 0 (V-8), and limits that cannot be encoded at all give
 * way to "stop charging and discharging" (floor, 0 A, 0 A). A bug upstream thus reduces power
 * rather than dropping the frame: silence would stop the whole system without a reason (V-5).
 */
export function encodeSafeChargeLimits(
  snapshot: VictronBmsSnapshot,
  identity: VictronBatteryIdentity,
  onAnomaly: (anomaly: ScheduleAnomaly) => void = () => undefined,
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
    encodeVictronMessage({
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
  const soc = Math.min(100, Math.max(0, s.stateOfChargePercent));
  return [
    {
      kind: 'stateOfCharge',
      stateOfChargePercent: soc,
      stateOfHealthPercent: Math.min(100, Math.max(0, s.stateOfHealthPercent)),
      stateOfChargeHighResPercent: soc,
    },
    {
      kind: 'measurements',
      batteryVoltageV: s.batteryVoltageV,
      batteryCurrentA: s.batteryCurrentA ?? 0,
      batteryTemperatureC: s.batteryTemperatureC,
    },
    { kind: 'alarms', ...s.alarms },
  ];
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
  const frames = [encodeSafeChargeLimits(snapshot, identity, onAnomaly)];
  for (const message of messages) {
    try {
      frames.push(encodeVictronMessage(message));
    } catch (error) {
      // A bad value drops that frame only; the limits frame above always goes out.
      if (!(error instanceof FrameEncodeError)) throw error;
      onAnomaly?.({ canId: error.canId, message: error.message });
    }
  }
  return frames;
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
  requireScheduleArguments(snapshots$, identity, options);
  const latest$ = snapshots$.pipe(shareReplay({ bufferSize: 1, refCount: true }));
  return latest$.pipe(
    take(1),
    switchMap(() => timer(0, FAST_PERIOD_MS, options.scheduler)),
    withLatestFrom(latest$),
    concatMap(([tick, snapshot]) => from(framesForTick(tick, snapshot, identity, options.onAnomaly))),
  );
}

/**
 * Plain JavaScript callers get no type checks: a wrong argument fails here, not every second
 * inside the stream. Without a scheduler RxJS would even fall back to real time silently.
 */
function requireScheduleArguments(snapshots$: unknown, identity: unknown, options: ScheduleOptions): void {
  requireObservable(snapshots$, 'snapshots$');
  requireObject(identity, 'identity', 'a VictronBatteryIdentity');
  // The discharge voltage limit and the CVL floor (V-7) are made of these two.
  requireFiniteNumber(Reflect.get(identity, 'seriesCellCount'), 'identity.seriesCellCount');
  requireFiniteNumber(Reflect.get(identity, 'cellLowVoltageV'), 'identity.cellLowVoltageV');
  requireObject(options, 'options', 'schedule options ({ scheduler, onAnomaly? })');
  requireClock(options.scheduler, 'options.scheduler');
  if (options.onAnomaly !== undefined) requireFunction(options.onAnomaly, 'options.onAnomaly');
}
