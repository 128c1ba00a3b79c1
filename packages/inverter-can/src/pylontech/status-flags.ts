import type { AlarmLevel, AlarmState, VictronAlarmItem } from '../victron/alarms';
import type { PylontechAlarmFlags, PylontechProtectionFlags } from './flags';

type Protection = keyof PylontechProtectionFlags;
type Alarm = keyof PylontechAlarmFlags;

/**
 * Where each of our alarm items lands in 0x359 (P-7): the protection bit it raises at fault level
 * and the alarm (warning) bit at warning and fault level. The charging variants of the temperature
 * items are the same cell temperature to Pylontech; a short circuit is a discharge over-current.
 * Items Pylontech has no bit for (general, contactor, BMS internal, cell imbalance) raise system
 * error at fault level, and nothing at warning level: the alarm bytes have no "system" bit.
 */
const BITS_OF_ITEM: Readonly<Record<VictronAlarmItem, readonly [Protection, Alarm | null]>> = {
  highVoltage: ['overVoltage', 'highVoltage'],
  lowVoltage: ['underVoltage', 'lowVoltage'],
  highTemperature: ['overTemperature', 'highTemperature'],
  highTemperatureCharging: ['overTemperature', 'highTemperature'],
  lowTemperature: ['underTemperature', 'lowTemperature'],
  lowTemperatureCharging: ['underTemperature', 'lowTemperature'],
  highDischargeCurrent: ['dischargeOverCurrent', 'dischargeHighCurrent'],
  shortCircuit: ['dischargeOverCurrent', 'dischargeHighCurrent'],
  highChargeCurrent: ['chargeOverCurrent', 'chargeHighCurrent'],
  general: ['systemError', null],
  contactor: ['systemError', null],
  bmsInternal: ['systemError', null],
  cellImbalance: ['systemError', null],
};

export interface PylontechStatusFlags {
  readonly protection: PylontechProtectionFlags;
  readonly alarms: PylontechAlarmFlags;
}

/**
 * 0x359's flags from our alarm state (P-7): fault level sets protection and alarm bit, warning
 * level the alarm bit. Modules out of communication set internal communication fail, the one
 * alarm bit with no item of ours: the snapshot counts them (`modulesOffline`).
 */
export function pylontechStatusFlags(alarms: AlarmState, modulesOffline: number): PylontechStatusFlags {
  const protection: Record<Protection, boolean> = {
    overVoltage: false,
    underVoltage: false,
    overTemperature: false,
    underTemperature: false,
    dischargeOverCurrent: false,
    chargeOverCurrent: false,
    systemError: false,
  };
  const alarmBits: Record<Alarm, boolean> = {
    highVoltage: false,
    lowVoltage: false,
    highTemperature: false,
    lowTemperature: false,
    dischargeHighCurrent: false,
    chargeHighCurrent: false,
    internalCommunicationFail: modulesOffline > 0,
  };
  for (const [item, level] of Object.entries(alarms.levels) as Array<[VictronAlarmItem, AlarmLevel]>) {
    const [protectionBit, alarmBit] = BITS_OF_ITEM[item];
    if (level === 'alarm') protection[protectionBit] = true;
    if (level !== 'ok' && alarmBit !== null) alarmBits[alarmBit] = true;
  }
  return { protection, alarms: alarmBits };
}
