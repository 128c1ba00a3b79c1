import fc from 'fast-check';
import { FAULT_KINDS } from '@tsbms/fault-engine';
import type { ModuleHardwareFlag } from '@tsbms/pack-reading';
import type { BmsStatus } from '@tsbms/bms-core';
import {
  encodeVictronMessage,
  framesForTick,
  type VictronAlarmItem,
  type VictronBmsSnapshot,
} from '@tsbms/inverter-can';
import { inverterConfigSchema } from './inverter-config';
import { activeFault, packStatus, TWO_BY_TWO_INVERTER, TWO_BY_TWO_FACTS } from './testing/pack-status';
import { batteryIdentityOf, firmwareFromVersion, toVictronSnapshot, victronAlarms } from './victron-snapshot';

const facts = TWO_BY_TWO_FACTS;
const victronIdentity = (can: typeof TWO_BY_TWO_INVERTER, firmwareVersion: string) =>
  batteryIdentityOf(can, facts, firmwareVersion);
const hex = (data: Uint8Array) =>
  Array.from(data, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
const alarmBytes = (status: ReturnType<typeof packStatus>) =>
  hex(encodeVictronMessage({ kind: 'alarms', ...victronAlarms(status, facts) }).data);
/** The spec's §8 0x378 vector: 1234.5 kWh in, 1100.0 kWh out. */
const SPEC_ENERGY: NonNullable<BmsStatus['energy']> = {
  chargedAh: 25_800,
  dischargedAh: 23_000,
  chargedWh: 1_234_500,
  dischargedWh: 1_100_000,
  equivalentCycles: 89.5,
};
/** The 0x378 bytes a snapshot makes; undefined when the schedule leaves the frame out. */
const energyFrame = (snapshot: VictronBmsSnapshot | null) => {
  if (snapshot === null) throw new Error('no snapshot');
  const frame = framesForTick(0, snapshot, victronIdentity(TWO_BY_TWO_INVERTER, '0.1.0')).find(
    (f) => f.id === 0x378,
  );
  return frame === undefined ? undefined : hex(frame.data);
};
const contactorsOpen = {
  state: 'OPEN',
  openReason: 'fault',
  relays: { negative: false, precharge: false, positive: false },
} as const;

describe('toVictronSnapshot', () => {
  it('maps a valid scan of the spec pack field by field', () => {
    const snapshot = toVictronSnapshot(packStatus(), facts, null);
    expect(snapshot).toMatchObject({
      chargeVoltageLimitV: 49.2,
      chargeCurrentLimitA: 100,
      dischargeCurrentLimitA: 100,
      stateOfChargePercent: 80.26,
      stateOfHealthPercent: 100,
      batteryVoltageV: 47.83,
      batteryCurrentA: -12.3,
      modulesOnline: 4,
      modulesOffline: 0,
      lowestCellVoltageV: 3.981,
      highestCellVoltageV: 4.002,
      lowestTemperatureC: 20,
      highestTemperatureC: 23.6,
      lowestCellId: 'M1C1',
      highestCellId: 'M3C2',
      lowestTemperatureId: 'M2T1',
      highestTemperatureId: 'M4T2',
      energyChargedKWh: null,
    });
    // Mean of the eight sensors.
    expect(snapshot?.batteryTemperatureC).toBeCloseTo((21 + 22 + 20 + 22 + 21 + 22 + 22 + 23.6) / 8, 9);
    // V-14: 2 strings × 232 Ah × the window between 3.60 and 4.10 V — 257 Ah in the spec's vector.
    expect(Math.round(snapshot?.installedCapacityAh ?? 0)).toBe(257);
    expect(snapshot?.onlineCapacityAh).toBe(snapshot?.installedCapacityAh);
  });

  it('sends the learnt state of health, and 100 % while none is known', () => {
    expect(toVictronSnapshot(packStatus({ sohPercent: 92.4 }), facts, null)?.stateOfHealthPercent).toBe(92.4);
    expect(toVictronSnapshot(packStatus({ sohPercent: null }), facts, null)?.stateOfHealthPercent).toBe(100);
  });

  it('encodes to the spec vectors for 0x351, 0x355, 0x356, 0x35A, 0x372, 0x373, 0x375, 0x378, 0x379', () => {
    const snapshot = toVictronSnapshot(packStatus({ energy: SPEC_ENERGY }), facts, null);
    if (snapshot === null) throw new Error('no snapshot');
    const identity = victronIdentity(TWO_BY_TWO_INVERTER, '0.1.0');
    const frames = new Map(framesForTick(0, snapshot, identity).map((f) => [f.id, hex(f.data)]));
    expect(frames.get(0x351)).toBe('EC 01 E8 03 E8 03 B0 01');
    expect(frames.get(0x355)).toBe('50 00 64 00 5A 1F 00 00');
    expect(frames.get(0x356)?.slice(0, 11)).toBe('AF 12 85 FF');
    expect(frames.get(0x35a)).toBe('A8 82 82 02 A8 82 82 0A');
    expect(frames.get(0x35e)).toBe('74 73 42 4D 53 00 00 00');
    expect(frames.get(0x35f)).toBe('00 00 00 01 01 01 00 00');
    expect(frames.get(0x372)).toBe('04 00 FF FF FF FF 00 00');
    expect(frames.get(0x373)).toBe('8D 0F A2 0F 25 01 29 01');
    expect(frames.get(0x375)).toBe('4D 33 43 32 00 00 00 00');
    expect(frames.get(0x378)).toBe('39 30 00 00 F8 2A 00 00');
    expect(frames.get(0x379)).toBe('01 01 00 00 00 00 00 00');
  });

  it('sends the energy counters in kWh, to the nearest 100 Wh (0x378)', () => {
    const energy = { ...SPEC_ENERGY, chargedWh: 211_160, dischargedWh: 183_549 };
    const snapshot = toVictronSnapshot(packStatus({ energy }), facts, null);
    expect(snapshot).toMatchObject({ energyChargedKWh: 211.16, energyDischargedKWh: 183.549 });
    // The BYD capture's bytes: 211.2 kWh in, 183.5 kWh out.
    expect(energyFrame(snapshot)).toBe('40 08 00 00 2B 07 00 00');
  });

  it('leaves 0x378 out while the counters are unknown or there is no current sensor', () => {
    expect(energyFrame(toVictronSnapshot(packStatus(), facts, null))).toBeUndefined();
    const noSensor = packStatus({ energy: SPEC_ENERGY, currentA: null });
    expect(energyFrame(toVictronSnapshot(noSensor, facts, null))).toBeUndefined();
    // A required sensor that has not answered yet: the saved counters are its own.
    const required = { ...facts, currentSensorRequired: true };
    expect(energyFrame(toVictronSnapshot(noSensor, required, null))).toBe('39 30 00 00 F8 2A 00 00');
    // So does an optional one that is fitted (after a restart, before its first sample).
    const fitted = { ...facts, currentSensorFitted: true };
    expect(energyFrame(toVictronSnapshot(noSensor, fitted, null))).toBe('39 30 00 00 F8 2A 00 00');
  });

  it('keeps the last counters while the current sensor is away, so 0x378 does not come and go', () => {
    const first = toVictronSnapshot(packStatus({ energy: SPEC_ENERGY }), facts, null);
    const grown = { ...SPEC_ENERGY, chargedWh: 1_300_000 };
    const later = toVictronSnapshot(packStatus({ energy: grown, currentA: null }), facts, first);
    expect(later).toMatchObject({ energyChargedKWh: 1234.5, energyDischargedKWh: 1100 });
    expect(energyFrame(later)).toBe('39 30 00 00 F8 2A 00 00');
  });

  it('is null until the first complete valid scan (V-5)', () => {
    expect(toVictronSnapshot(packStatus({ limits: null }), facts, null)).toBeNull();
    expect(toVictronSnapshot(packStatus({ packVoltageV: null }), facts, null)).toBeNull();
    expect(toVictronSnapshot(packStatus({ socPercent: null }), facts, null)).toBeNull();
    const noTemperatures = packStatus().modules.map((m) => ({ ...m, temperaturesC: [null, null] }));
    expect(toVictronSnapshot(packStatus({ modules: noTemperatures }), facts, null)).toBeNull();
  });

  it('after a valid scan, keeps last values but stops charge and discharge when the limits are lost', () => {
    const first = toVictronSnapshot(packStatus(), facts, null);
    const later = toVictronSnapshot(
      packStatus({ limits: null, packVoltageV: null, socPercent: null }),
      facts,
      first,
    );
    expect(later).toMatchObject({
      chargeVoltageLimitV: 49.2,
      chargeCurrentLimitA: 0,
      dischargeCurrentLimitA: 0,
      batteryVoltageV: 47.83,
      stateOfChargePercent: 80.26,
    });
  });

  it('counts offline modules and capacity of fully online strings only', () => {
    const modules = packStatus().modules.map((m) => (m.address === 4 ? { ...m, commsOk: false } : m));
    const snapshot = toVictronSnapshot(packStatus({ modules }), facts, null);
    expect(snapshot?.modulesOnline).toBe(3);
    expect(snapshot?.modulesOffline).toBe(1);
    expect(snapshot?.onlineCapacityAh).toBeCloseTo((snapshot?.installedCapacityAh ?? 0) / 2, 9);
  });
});

describe('victronAlarms', () => {
  it('matches the spec vectors: all OK, no sensor, over-voltage alarm, comms-loss alarm', () => {
    expect(alarmBytes(packStatus())).toBe('A8 82 82 02 A8 82 82 0A');
    expect(alarmBytes(packStatus({ currentA: null }))).toBe('A8 02 80 02 A8 02 80 0A');
    expect(
      alarmBytes(
        packStatus({ faults: [activeFault('cellOverVoltage', 'fault')], contactors: contactorsOpen }),
      ),
    ).toBe('A4 82 82 02 A4 82 82 06');
    expect(
      alarmBytes(
        packStatus({ faults: [activeFault('moduleCommsLoss', 'fault')], contactors: contactorsOpen }),
      ),
    ).toBe('A8 82 42 02 A8 82 42 06');
  });

  it('reports warnings as warnings only and ignores info', () => {
    const state = victronAlarms(
      packStatus({
        alerts: [activeFault('cellImbalance', 'warning'), activeFault('overTemperature', 'info')],
      }),
      facts,
    );
    expect(state.levels.cellImbalance).toBe('warning');
    expect(state.levels.highTemperature).toBe('ok');
  });

  it('a lost state file (stateLost) is a BMS internal alarm', () => {
    const state = victronAlarms(packStatus({ faults: [activeFault('stateLost', 'fault')] }), facts);
    expect(state.levels).toMatchObject({ bmsInternal: 'alarm', highVoltage: 'ok', lowVoltage: 'ok' });
  });

  it('maps the chip trips to their quantity and other chip flags to BMS internal', () => {
    const levels = (chipFlags: readonly ModuleHardwareFlag[]) =>
      victronAlarms(packStatus({ faults: [activeFault('moduleHardwareFault', 'fault', chipFlags)] }), facts)
        .levels;
    expect(levels(['COV'])).toMatchObject({ highVoltage: 'alarm', bmsInternal: 'ok' });
    expect(levels(['CUV'])).toMatchObject({ lowVoltage: 'alarm', bmsInternal: 'ok' });
    expect(levels(['OT2'])).toMatchObject({ highTemperature: 'alarm', bmsInternal: 'ok' });
    expect(levels(['TSD'])).toMatchObject({ highVoltage: 'ok', bmsInternal: 'alarm' });
    expect(levels(['COV', 'UVLO'])).toMatchObject({ highVoltage: 'alarm', bmsInternal: 'alarm' });
  });

  it('reads the chip flags from the fault, never from its detail text', () => {
    const fault = { ...activeFault('moduleHardwareFault', 'fault'), detail: 'COV cells 2' };
    expect(victronAlarms(packStatus({ faults: [fault] }), facts).levels).toMatchObject({
      highVoltage: 'ok',
      bmsInternal: 'alarm',
    });
  });

  it('system status: online with closed contactors, or no fault when contactor control is off', () => {
    expect(victronAlarms(packStatus({ contactors: contactorsOpen }), facts).systemOnline).toBe(false);
    const noControl = { ...facts, contactorControl: false };
    expect(victronAlarms(packStatus({ contactors: contactorsOpen }), noControl).systemOnline).toBe(true);
    expect(
      victronAlarms(
        packStatus({ contactors: contactorsOpen, faults: [activeFault('cellUnderVoltage', 'fault')] }),
        noControl,
      ).systemOnline,
    ).toBe(false);
  });

  it('for any set of faults, an item is alarm iff a fault-level source is active (property)', () => {
    const fault = fc.record({
      kind: fc.constantFrom(...FAULT_KINDS.filter((k) => k !== 'moduleHardwareFault')),
      level: fc.constantFrom('info' as const, 'warning' as const, 'fault' as const),
    });
    const itemOf: Partial<Record<string, VictronAlarmItem>> = {
      cellOverVoltage: 'highVoltage',
      cellUnderVoltage: 'lowVoltage',
      overTemperature: 'highTemperature',
      underTemperature: 'lowTemperature',
      cellImbalance: 'cellImbalance',
      chargeOverCurrent: 'highChargeCurrent',
      dischargeOverCurrent: 'highDischargeCurrent',
    };
    fc.assert(
      fc.property(fc.array(fault, { maxLength: 6 }), (list) => {
        const all = list.map((f) => activeFault(f.kind, f.level));
        const state = victronAlarms(
          packStatus({
            faults: all.filter((f) => f.level === 'fault'),
            alerts: all.filter((f) => f.level !== 'fault'),
          }),
          facts,
        );
        for (const [item, level] of Object.entries(state.levels)) {
          const sources = all.filter((f) => (itemOf[f.kind] ?? 'bmsInternal') === item);
          const expected = sources.some((f) => f.level === 'fault')
            ? 'alarm'
            : sources.some((f) => f.level === 'warning')
              ? 'warning'
              : 'ok';
          expect(level).toBe(expected);
        }
      }),
    );
  });
});

describe('batteryIdentityOf', () => {
  it('takes names from inverter.*, Ns from the pack and the firmware from the version', () => {
    expect(victronIdentity(TWO_BY_TWO_INVERTER, '2.13.0')).toEqual({
      manufacturerName: 'tsBMS',
      modelId: 0,
      firmwareMajor: 2,
      firmwareMinor: 13,
      seriesCellCount: 12,
      cellLowVoltageV: 3.6,
    });
    expect(firmwareFromVersion('x')).toEqual({ major: 0, minor: 0 });
  });

  it("sends the optional strings of the Victron profile only; Pylontech's name is PYLON by default", () => {
    const victron = inverterConfigSchema.parse({ batteryName: 'Garage pack 2024', serialNumber: 'TS-1' });
    expect(victronIdentity(victron, '0.1.0')).toMatchObject({
      batteryName: 'Garage pack 2024',
      serialNumber: 'TS-1',
    });
    const pylontech = victronIdentity(inverterConfigSchema.parse({ profile: 'pylontech' }), '0.1.0');
    expect(pylontech.manufacturerName).toBe('PYLON');
    expect(Object.keys(pylontech)).not.toContain('batteryName');
  });
});
