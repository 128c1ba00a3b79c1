import type { CanFrame } from '@tsbms/hal';
import type { Observable } from 'rxjs';
import {
  encodeEach,
  publishEveryPeriod,
  requireScheduleArguments,
  type ScheduleAnomaly,
  type ScheduleOptions,
} from '../frame-schedule';
import { encodeSafeChargeLimits } from '../victron/schedule';
import { measurementsMessage, stateOfChargeMessage } from '../victron/snapshot-messages';
import type { VictronBatteryIdentity, VictronBmsSnapshot } from '../victron/snapshot';
import { smaAcceptedLimits } from './accepted-limits';
import { SmaFrameId } from './frame-ids';
import { encodeSmaMessage, type SmaMessage } from './messages';

/**
 * S-9: the whole set every second. Each id goes out once per period, five times slower than the
 * Sunny Island's 200 ms inhibit time allows; snapshots between ticks send nothing.
 */
export const SMA_PERIOD_MS = 1000;

/** What the SMA frames take from the battery's configuration: a Victron identity serves as is. */
export type SmaBatteryIdentity = Pick<
  VictronBatteryIdentity,
  'manufacturerName' | 'firmwareMajor' | 'firmwareMinor' | 'seriesCellCount' | 'cellLowVoltageV'
>;

/**
 * One second's frames, the limits first: 0x351, 0x355, 0x356, 0x35A, 0x35E, 0x35F, and no other id
 * (S-1). 0x351 is made safe as Victron's (V-7, V-8), then acceptable to the Sunny Island (S-3,
 * S-10). 0x35A carries our levels as they are: a fault is an alarm, which stands the Sunny Island
 * by; that is how a fault stops discharge off-grid, where a DCL of 0 does not (S-5, S-11).
 */
export function smaFrames(
  snapshot: VictronBmsSnapshot,
  identity: SmaBatteryIdentity,
  onAnomaly?: (anomaly: ScheduleAnomaly) => void,
): CanFrame[] {
  const report = (message: string) => onAnomaly?.({ canId: SmaFrameId.CHARGE_LIMITS, message });
  const limitsFrame = encodeSafeChargeLimits(snapshot, identity, onAnomaly, (limits) =>
    encodeSmaMessage(smaAcceptedLimits(limits, snapshot.batteryVoltageV, report)),
  );
  const messages: SmaMessage[] = [
    stateOfChargeMessage(snapshot),
    measurementsMessage(snapshot),
    { kind: 'alarms', levels: snapshot.alarms.levels },
    { kind: 'manufacturer', name: identity.manufacturerName },
    {
      kind: 'batteryInfo',
      // S-6: no public table of type codes; the version as two bytes, major high (0.1 → 1).
      batteryType: null,
      bmsVersion: identity.firmwareMajor * 0x100 + identity.firmwareMinor,
      capacityAh: snapshot.onlineCapacityAh,
      manufacturerId: null,
    },
  ];
  return [limitsFrame, ...encodeEach(messages, encodeSmaMessage, onAnomaly)];
}

/**
 * The Sunny Island publisher: nothing before the first snapshot, then the six frames every second
 * from the latest snapshot, also while faulted (S-9, as V-5).
 */
export function smaFrameSchedule(
  snapshots$: Observable<VictronBmsSnapshot>,
  identity: SmaBatteryIdentity,
  options: ScheduleOptions,
): Observable<CanFrame> {
  requireScheduleArguments(snapshots$, identity, 'an SmaBatteryIdentity', options);
  return publishEveryPeriod(snapshots$, SMA_PERIOD_MS, options.scheduler, (_tick, snapshot) =>
    smaFrames(snapshot, identity, options.onAnomaly),
  );
}
