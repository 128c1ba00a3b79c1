import fc from 'fast-check';
import type { CanFrame } from '@tsbms/hal';
import { decodeVictronFrame, encodeVictronMessage, type VictronMessage } from './messages';
import { FrameEncodeError } from '../field-codec';

const bytes = (hex: string) => Uint8Array.from(hex.split(/\s+/).map((b) => parseInt(b, 16)));
const hex = (frame: CanFrame) =>
  Array.from(frame.data, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');

// victron-can-bms.md §8: tsBMS encoder vectors (12S pack, 2 × 2 modules of 232 Ah, current sensor).
const tsbmsVectors: Array<[string, VictronMessage, number, string]> = [
  [
    'CVL 49.2, CCL 100.0, DCL 100.0, DVL 43.2',
    {
      kind: 'chargeLimits',
      chargeVoltageLimitV: 49.2,
      chargeCurrentLimitA: 100,
      dischargeCurrentLimitA: 100,
      dischargeVoltageLimitV: 43.2,
    },
    0x351,
    'EC 01 E8 03 E8 03 B0 01',
  ],
  [
    'charging blocked: CVL held at 48.9, CCL 0',
    {
      kind: 'chargeLimits',
      chargeVoltageLimitV: 48.9,
      chargeCurrentLimitA: 0,
      dischargeCurrentLimitA: 100,
      dischargeVoltageLimitV: 43.2,
    },
    0x351,
    'E9 01 00 00 E8 03 B0 01',
  ],
  [
    'SoC 80.26 %, SoH 100 %',
    {
      kind: 'stateOfCharge',
      stateOfChargePercent: 80.26,
      stateOfHealthPercent: 100,
      stateOfChargeHighResPercent: 80.26,
    },
    0x355,
    '50 00 64 00 5A 1F 00 00',
  ],
  [
    '47.83 V, -12.3 A, 21.4 °C',
    { kind: 'measurements', batteryVoltageV: 47.83, batteryCurrentA: -12.3, batteryTemperatureC: 21.4 },
    0x356,
    'AF 12 85 FF D6 00 00 00',
  ],
  ['tsBMS', { kind: 'manufacturer', name: 'tsBMS' }, 0x35e, '74 73 42 4D 53 00 00 00'],
  [
    'firmware 0.1, 257 Ah online',
    { kind: 'identity', modelId: 0, firmwareMajor: 0, firmwareMinor: 1, onlineCapacityAh: 257 },
    0x35f,
    '00 00 00 01 01 01 00 00',
  ],
  [
    '4 online, 0 offline',
    {
      kind: 'moduleCounts',
      modulesOnline: 4,
      modulesBlockingCharge: null,
      modulesBlockingDischarge: null,
      modulesOffline: 0,
    },
    0x372,
    '04 00 FF FF FF FF 00 00',
  ],
  [
    '3.981 V, 4.002 V, 20.0 °C, 23.6 °C',
    {
      kind: 'cellExtremes',
      lowestCellVoltageV: 3.981,
      highestCellVoltageV: 4.002,
      lowestTemperatureC: 20.0,
      highestTemperatureC: 23.6,
    },
    0x373,
    '8D 0F A2 0F 25 01 29 01',
  ],
  ['M3C2', { kind: 'text', field: 'lowestCellId', text: 'M3C2' }, 0x374, '4D 33 43 32 00 00 00 00'],
  [
    '1234.5 kWh in, 1100.0 kWh out',
    { kind: 'energy', energyChargedKWh: 1234.5, energyDischargedKWh: 1100 },
    0x378,
    '39 30 00 00 F8 2A 00 00',
  ],
  ['257 Ah', { kind: 'installedCapacity', installedCapacityAh: 257 }, 0x379, '01 01 00 00 00 00 00 00'],
];

describe('tsBMS encoder vectors (§8)', () => {
  it.each(tsbmsVectors)('encodes %s', (_name, message, id, expected) => {
    const frame = encodeVictronMessage(message);
    expect(frame.id).toBe(id);
    expect(hex(frame)).toBe(expected);
  });

  it.each(tsbmsVectors)('decodes %s', (_name, message, id, wire) => {
    const decoded = decodeVictronFrame({ id, data: bytes(wire) });
    // Temperatures travel in whole kelvin: 23.6 °C comes back as 297 K - 273.15.
    if (message.kind === 'cellExtremes') {
      expect(decoded).toEqual({ ...message, lowestTemperatureC: 19.85, highestTemperatureC: 23.85 });
    } else if (message.kind === 'stateOfCharge') {
      expect(decoded).toEqual({ ...message, stateOfChargePercent: 80 });
    } else {
      expect(decoded).toEqual(message);
    }
  });
});

// victron-can-bms.md §8: real captures, decoded.
describe('real captures (§8)', () => {
  const decode = (id: number, wire: string) => decodeVictronFrame({ id, data: bytes(wire) });

  it('Victron example frames', () => {
    expect(decode(0x351, '45 02 4C 04 4C 04 00 00')).toEqual({
      kind: 'chargeLimits',
      chargeVoltageLimitV: 58.1,
      chargeCurrentLimitA: 110,
      dischargeCurrentLimitA: 110,
      dischargeVoltageLimitV: 0,
    });
    expect(decode(0x355, '59 00 64 00 00 00 00 00')).toEqual({
      kind: 'stateOfCharge',
      stateOfChargePercent: 89,
      stateOfHealthPercent: 100,
    });
    expect(decode(0x356, '31 16 CE 00 3E 01 00 00')).toEqual({
      kind: 'measurements',
      batteryVoltageV: 56.81,
      batteryCurrentA: 20.6,
      batteryTemperatureC: 31.8,
    });
  });

  it('BYD frames', () => {
    expect(decode(0x351, '48 02 00 05 00 05 AE 01')).toEqual({
      kind: 'chargeLimits',
      chargeVoltageLimitV: 58.4,
      chargeCurrentLimitA: 128,
      dischargeCurrentLimitA: 128,
      dischargeVoltageLimitV: 43,
    });
    expect(decode(0x355, '43 00 64 00 00 00 00 00')).toEqual({
      kind: 'stateOfCharge',
      stateOfChargePercent: 67,
      stateOfHealthPercent: 100,
    });
    expect(decode(0x356, 'BE 14 F9 FF 8C 00 00 00')).toEqual({
      kind: 'measurements',
      batteryVoltageV: 53.1,
      batteryCurrentA: -0.7,
      batteryTemperatureC: 14,
    });
    expect(decode(0x35f, '4C 69 01 17 69 00 00 00')).toEqual({
      kind: 'identity',
      modelId: 0x694c,
      firmwareMajor: 1,
      firmwareMinor: 23,
      onlineCapacityAh: 105,
    });
    expect(decode(0x372, '02 00 00 00 00 00 00 00')).toEqual({
      kind: 'moduleCounts',
      modulesOnline: 2,
      modulesBlockingCharge: 0,
      modulesBlockingDischarge: 0,
      modulesOffline: 0,
    });
    expect(decode(0x373, 'EA 0C 01 0D 1F 01 22 01')).toEqual({
      kind: 'cellExtremes',
      lowestCellVoltageV: 3.306,
      highestCellVoltageV: 3.329,
      lowestTemperatureC: 13.85,
      highestTemperatureC: 16.85,
    });
    expect(decode(0x378, '40 08 00 00 2B 07 00 00')).toEqual({
      kind: 'energy',
      energyChargedKWh: 211.2,
      energyDischargedKWh: 183.5,
    });
    expect(decode(0x379, '9C 00')).toEqual({ kind: 'installedCapacity', installedCapacityAh: 156 });
    expect(decode(0x382, '50 52 45 4D 49 55 4D 00')).toEqual({
      kind: 'text',
      field: 'productFamily',
      text: 'PREMIUM',
    });
  });

  it('Pytes frames, including a 6-byte 0x356', () => {
    expect(decode(0x351, '38 02 E8 03 E8 03 C7 01')).toEqual({
      kind: 'chargeLimits',
      chargeVoltageLimitV: 56.8,
      chargeCurrentLimitA: 100,
      dischargeCurrentLimitA: 100,
      dischargeVoltageLimitV: 45.5,
    });
    expect(decode(0x356, '8E 14 F9 FF B4 00')).toEqual({
      kind: 'measurements',
      batteryVoltageV: 52.62,
      batteryCurrentA: -0.7,
      batteryTemperatureC: 18,
    });
    expect(decode(0x373, 'D8 0C DA 0C 21 01 23 01')).toEqual({
      kind: 'cellExtremes',
      lowestCellVoltageV: 3.288,
      highestCellVoltageV: 3.29,
      lowestTemperatureC: 15.85,
      highestTemperatureC: 17.85,
    });
  });

  it('reports ids outside the protocol as unknown', () => {
    expect(decode(0x123, '00')).toEqual({ kind: 'unknown', id: 0x123 });
  });
});

describe('encoder range checks', () => {
  it('refuses a negative charge voltage and values beyond a field', () => {
    const base = {
      kind: 'chargeLimits',
      chargeVoltageLimitV: 49.2,
      chargeCurrentLimitA: 10,
      dischargeCurrentLimitA: 10,
      dischargeVoltageLimitV: 43.2,
    } as const;
    expect(() => encodeVictronMessage({ ...base, chargeVoltageLimitV: -1 })).toThrow(FrameEncodeError);
    expect(() => encodeVictronMessage({ ...base, chargeVoltageLimitV: 0 })).toThrow(/CVL must be above 0/);
    expect(() => encodeVictronMessage({ ...base, chargeVoltageLimitV: 0.04 })).toThrow(/CVL must be above 0/);
    expect(() => encodeVictronMessage({ ...base, chargeCurrentLimitA: -0.1 })).toThrow(/never negative/);
    expect(() => encodeVictronMessage({ ...base, dischargeCurrentLimitA: -5 })).toThrow(/never negative/);
    expect(() => encodeVictronMessage({ ...base, chargeCurrentLimitA: 4000 })).toThrow(/chargeCurrentLimitA/);
    expect(() => encodeVictronMessage({ ...base, dischargeCurrentLimitA: Number.NaN })).toThrow(/finite/);
  });

  it('refuses text longer than its field or outside 7-bit ASCII', () => {
    expect(() => encodeVictronMessage({ kind: 'manufacturer', name: 'NineChars' })).toThrow(/longer than 8/);
    expect(() => encodeVictronMessage({ kind: 'text', field: 'serialPart1', text: 'Ünï' })).toThrow(/ASCII/);
  });
});

describe('round trip (property)', () => {
  const within = (a: number, b: number, step: number) => Math.abs(a - b) <= step / 2 + 1e-9;

  it('decode(encode(x)) equals x within field resolution; 8 bytes; id below 0x400', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.05, max: 6553.5, noNaN: true }),
        fc.double({ min: 0, max: 3276.7, noNaN: true }),
        fc.double({ min: -3276.8, max: 3276.7, noNaN: true }),
        fc.double({ min: -327.68, max: 327.67, noNaN: true }),
        fc.double({ min: -3276.8, max: 3276.7, noNaN: true }),
        (cvl, limit, current, voltage, temperature) => {
          const limits = encodeVictronMessage({
            kind: 'chargeLimits',
            chargeVoltageLimitV: cvl,
            chargeCurrentLimitA: limit,
            dischargeCurrentLimitA: limit,
            dischargeVoltageLimitV: cvl,
          });
          const measurements = encodeVictronMessage({
            kind: 'measurements',
            batteryVoltageV: voltage,
            batteryCurrentA: current,
            batteryTemperatureC: temperature,
          });
          for (const f of [limits, measurements]) {
            expect(f.data.length).toBe(8);
            expect(f.id).toBeLessThan(0x400);
          }
          const l = decodeVictronFrame(limits);
          const m = decodeVictronFrame(measurements);
          if (l.kind !== 'chargeLimits' || m.kind !== 'measurements') throw new Error('wrong kind');
          expect(within(l.chargeVoltageLimitV, cvl, 0.1)).toBe(true);
          expect(within(l.chargeCurrentLimitA, limit, 0.1)).toBe(true);
          expect(within(m.batteryVoltageV, voltage, 0.01)).toBe(true);
          expect(within(m.batteryCurrentA, current, 0.1)).toBe(true);
          expect(within(m.batteryTemperatureC, temperature, 0.1)).toBe(true);
        },
      ),
    );
  });
});
