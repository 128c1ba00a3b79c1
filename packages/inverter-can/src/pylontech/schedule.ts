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
import {
  decodePylontechFrame,
  encodePylontechMessage,
  type PylontechChargeLimitsMessage,
  type PylontechMessage,
} from './messages';
import { pylontechStatusFlags } from './status-flags';

/** P-8: the whole set once a second. */
export const PYLONTECH_PERIOD_MS = 1000;
/** 0x359 byte 4 is a u8. */
const MAX_MODULE_COUNT = 0xff;

/**
 * What the Pylontech frames take from the battery's configuration: a Victron identity serves as
 * is. The output sets `manufacturerName` to `PYLON` unless configured otherwise (P-4).
 */
export type PylontechBatteryIdentity = Pick<
  VictronBatteryIdentity,
  'manufacturerName' | 'seriesCellCount' | 'cellLowVoltageV'
>;

/**
 * One second's frames in the real battery's order, 0x359 first (P-8): 0x359, 0x351, 0x355, 0x356,
 * 0x35C, 0x35E. 0x351 is Victron's, made safe the same way (P-2, P-3); the enable flags of 0x35C
 * are read back from the 0x351 actually built, so they agree with it on the wire (P-5).
 */
export function pylontechFrames(
  snapshot: VictronBmsSnapshot,
  identity: PylontechBatteryIdentity,
  onAnomaly?: (anomaly: ScheduleAnomaly) => void,
): CanFrame[] {
  const limitsFrame = encodeSafeChargeLimits(snapshot, identity, onAnomaly);
  const sent = decodePylontechFrame(limitsFrame) as PylontechChargeLimitsMessage;
  const chargeEnable = sent.chargeCurrentLimitA > 0;
  const dischargeEnable = sent.dischargeCurrentLimitA > 0;
  const encode = (messages: PylontechMessage[]) => encodeEach(messages, encodePylontechMessage, onAnomaly);
  return [
    ...encode([
      {
        kind: 'protectionAlarms',
        ...pylontechStatusFlags(snapshot.alarms, snapshot.modulesOffline),
        // The inverter must still hear the protection bits if the count were ever out of range.
        moduleCount: Math.min(MAX_MODULE_COUNT, snapshot.modulesOnline),
      },
    ]),
    limitsFrame,
    ...encode([
      stateOfChargeMessage(snapshot),
      measurementsMessage(snapshot),
      {
        kind: 'requestFlags',
        // P-6: force charge and full charge would make the inverter charge outside our limits.
        requests: {
          chargeEnable,
          dischargeEnable,
          forceChargeI: false,
          forceChargeII: false,
          fullCharge: false,
        },
      },
      { kind: 'manufacturer', name: identity.manufacturerName },
    ]),
  ];
}

/**
 * The Pylontech publisher: nothing before the first snapshot, then the six frames every second
 * from the latest snapshot, also while faulted (P-8, as V-5). It never waits for the inverter's
 * 0x305 (P-9).
 */
export function pylontechFrameSchedule(
  snapshots$: Observable<VictronBmsSnapshot>,
  identity: PylontechBatteryIdentity,
  options: ScheduleOptions,
): Observable<CanFrame> {
  requireScheduleArguments(snapshots$, identity, 'a PylontechBatteryIdentity', options);
  return publishEveryPeriod(snapshots$, PYLONTECH_PERIOD_MS, options.scheduler, (_tick, snapshot) =>
    pylontechFrames(snapshot, identity, options.onAnomaly),
  );
}
