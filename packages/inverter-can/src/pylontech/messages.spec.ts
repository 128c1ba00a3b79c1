import fc from 'fast-check';
import type { CanFrame } from '@tsbms/hal';
import { FrameEncodeError } from '../field-codec';
import { decodePylontechFrame, encodePylontechMessage, type PylontechMessage } from './messages';
import { PylontechFrameId } from './frame-ids';
import type { PylontechAlarmFlags, PylontechProtectionFlags, PylontechRequestFlags } from './flags';

const bytes = (hex: string) => Uint8Array.from(hex.split(/\s+/).map((b) => parseInt(b, 16)));
const hex = (data: Uint8Array) =>
  Array.from(data, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
/** Our frames are 8 bytes, zero padded (P-1); a capture with a shorter DLC is compared padded. */
const padded = (wire: string) => hex(Uint8Array.from({ length: 8 }, (_, i) => bytes(wire)[i] ?? 0));

const noProtection: PylontechProtectionFlags = {
  overVoltage: false,
  underVoltage: false,
  overTemperature: false,
  underTemperature: false,
  dischargeOverCurrent: false,
  chargeOverCurrent: false,
  systemError: false,
};
const noAlarms: PylontechAlarmFlags = {
  highVoltage: false,
  lowVoltage: false,
  highTemperature: false,
  lowTemperature: false,
  dischargeHighCurrent: false,
  chargeHighCurrent: false,
  internalCommunicationFail: false,
};
const chargeAndDischarge: PylontechRequestFlags = {
  chargeEnable: true,
  dischargeEnable: true,
  forceChargeI: false,
  forceChargeII: false,
  fullCharge: false,
};
const limits = (cvl: number, ccl: number, dcl: number, dvl: number): PylontechMessage => ({
  kind: 'chargeLimits',
  chargeVoltageLimitV: cvl,
  chargeCurrentLimitA: ccl,
  dischargeCurrentLimitA: dcl,
  dischargeVoltageLimitV: dvl,
});
const soc = (stateOfChargePercent: number, stateOfHealthPercent: number): PylontechMessage => ({
  kind: 'stateOfCharge',
  stateOfChargePercent,
  stateOfHealthPercent,
});
const measurements = (v: number, a: number, c: number): PylontechMessage => ({
  kind: 'measurements',
  batteryVoltageV: v,
  batteryCurrentA: a,
  batteryTemperatureC: c,
});
const protection = (moduleCount: number): PylontechMessage => ({
  kind: 'protectionAlarms',
  protection: noProtection,
  alarms: noAlarms,
  moduleCount,
});

// pylontech-can.md §7. [source, message, id, bytes as captured (or as the document gives them)].
// What decode yields for 0x359 adds its product code, "PN" for everything we encode.
const goldenVectors: Array<[string, PylontechMessage, number, string]> = [
  // Captured from Pylontech US5000 stacks (older firmware) on a Sofar, published by setfirelabs:
  // https://www.setfirelabs.com/energy-monitoring/pylontech-battery-can-comms-v1-2-vs-v1-3
  ['US5000: 53.2 V, 480 A, 480 A, 45.0 V', limits(53.2, 480, 480, 45), 0x351, '14 02 C0 12 C0 12 C2 01'],
  ['US5000: SoC 88 %, SoH 94 % (DLC 4)', soc(88, 94), 0x355, '58 00 5E 00'],
  ['US5000: 49.86 V, -27.0 A, 36.3 °C (DLC 6)', measurements(49.86, -27, 36.3), 0x356, '7A 13 F2 FE 6B 01'],
  ['US5000: no flags, 6 modules (DLC 7)', protection(6), 0x359, '00 00 00 00 06 50 4E'],
  [
    'US5000: charge and discharge enabled (DLC 2)',
    { kind: 'requestFlags', requests: chargeAndDischarge },
    0x35c,
    'C0 00',
  ],
  ['US5000: PYLON, space padded', { kind: 'manufacturer', name: 'PYLON' }, 0x35e, '50 59 4C 4F 4E 20 20 20'],
  // Same page, newer US5000 firmware ("V1.3"): 0x355 in 6 bytes.
  [
    'US5000 newer: 52.8 V, 480 A, 480 A, 45.0 V',
    limits(52.8, 480, 480, 45),
    0x351,
    '10 02 C0 12 C0 12 C2 01',
  ],
  ['US5000 newer: SoC 84 %, SoH 96 % (DLC 6)', soc(84, 96), 0x355, '54 00 60 00 00 00'],
  ['US5000 newer: 49.87 V, -27.9 A, 36.3 °C', measurements(49.87, -27.9, 36.3), 0x356, '7B 13 E9 FE 6B 01'],
  // Pylontech sample frames from setfirelabs' "Pylontech CAN reading, CAN replication", as quoted in
  // stuartpittaway/diyBMSv4ESP32#87 (its 0x356 "4E 13 02 03 04 05" is a placeholder, so left out).
  ['sample: 53.2 V, 370 A, 370 A, 46.0 V', limits(53.2, 370, 370, 46), 0x351, '14 02 74 0E 74 0E CC 01'],
  ['sample: SoC 26 %, SoH 100 %', soc(26, 100), 0x355, '1A 00 64 00'],
  ['sample: no flags, 10 modules', protection(10), 0x359, '00 00 00 00 0A 50 4E'],
  // A JK-BMS speaking the protocol to a GoodWe GW5000S-BP, logged in Uksa007/esphome-jk-bms-can README.
  ['JK/GoodWe: 55.2 V, 100 A, 100 A, 41.6 V', limits(55.2, 100, 100, 41.6), 0x351, '28 02 E8 03 E8 03 A0 01'],
  ['JK/GoodWe: SoC 79 %, SoH 100 %', soc(79, 100), 0x355, '4F 00 64 00'],
  ['JK/GoodWe: 52.19 V, -92.6 A, 39.0 °C', measurements(52.19, -92.6, 39), 0x356, '63 14 62 FC 86 01'],
  // Built from Pylontech's "CAN Bus Protocol" V1.2 (2018-04-08) tables 1–5: every item set.
  [
    'document: every protection and alarm item, 1 module',
    {
      kind: 'protectionAlarms',
      protection: Object.fromEntries(
        Object.keys(noProtection).map((k) => [k, true]),
      ) as PylontechProtectionFlags,
      alarms: Object.fromEntries(Object.keys(noAlarms).map((k) => [k, true])) as PylontechAlarmFlags,
      moduleCount: 1,
    },
    0x359,
    '9E 09 9E 09 01 50 4E 00',
  ],
  [
    'document: every request flag',
    {
      kind: 'requestFlags',
      requests: {
        chargeEnable: true,
        dischargeEnable: true,
        forceChargeI: true,
        forceChargeII: true,
        fullCharge: true,
      },
    },
    0x35c,
    'F8 00',
  ],
];

const asDecoded = (message: PylontechMessage) =>
  message.kind === 'protectionAlarms' ? { ...message, productCode: 'PN' } : message;

describe('golden vectors (pylontech-can.md §7), three ways', () => {
  it.each(goldenVectors)('encodes %s', (_name, message, id, wire) => {
    const frame = encodePylontechMessage(message);
    expect(frame.id).toBe(id);
    expect(hex(frame.data)).toBe(padded(wire));
  });

  it.each(goldenVectors)('decodes %s', (_name, message, id, wire) => {
    expect(decodePylontechFrame({ id, data: bytes(wire) })).toEqual(asDecoded(message));
  });

  it.each(goldenVectors)('round-trips %s', (_name, message) => {
    expect(decodePylontechFrame(encodePylontechMessage(message))).toEqual(asDecoded(message));
  });
});

describe('frames other senders put on the bus', () => {
  it("a JK-BMS's 0x359 without the PN code decodes with an empty product code", () => {
    // Uksa007/esphome-jk-bms-can README log.
    expect(decodePylontechFrame({ id: 0x359, data: bytes('00 00 00 00 03 00 00 00') })).toEqual({
      ...protection(3),
      productCode: '',
    });
  });

  it("the inverter's 0x305 decodes as its reply, whatever it carries", () => {
    // Document p. 2: "Inverter reply every second: 0x305: 00-00-00-00-00-00-00-00".
    expect(decodePylontechFrame({ id: 0x305, data: new Uint8Array(8) })).toEqual({ kind: 'inverterReply' });
    // Some inverters and tools put a counter in it (pylontech-can.md §5).
    expect(decodePylontechFrame({ id: 0x305, data: bytes('2A 00 00 00') })).toEqual({
      kind: 'inverterReply',
    });
  });

  it("ids outside the profile, the Victron GX's 0x307 among them, come back as unknown", () => {
    expect(decodePylontechFrame({ id: 0x307, data: bytes('12 34 56 78 56 49 43 00') })).toEqual({
      kind: 'unknown',
      id: 0x307,
    });
    expect(decodePylontechFrame({ id: 0x35a, data: new Uint8Array(8) })).toEqual({
      kind: 'unknown',
      id: 0x35a,
    });
  });

  it('empty frames decode to NaN numbers and cleared flags', () => {
    const empty = (id: number) => decodePylontechFrame({ id, data: new Uint8Array(0) });
    expect(empty(0x359)).toEqual({
      kind: 'protectionAlarms',
      protection: noProtection,
      alarms: noAlarms,
      moduleCount: Number.NaN,
      productCode: '',
    });
    expect(empty(0x355)).toEqual({
      kind: 'stateOfCharge',
      stateOfChargePercent: NaN,
      stateOfHealthPercent: NaN,
    });
    expect(empty(0x35e)).toEqual({ kind: 'manufacturer', name: '' });
  });
});

describe('encoder refuses bad input with FrameEncodeError naming the field (P-3)', () => {
  const refuses = (message: PylontechMessage, field: string, reason: RegExp) => {
    let error: unknown;
    try {
      encodePylontechMessage(message);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FrameEncodeError);
    expect((error as FrameEncodeError).field).toBe(field);
    expect((error as FrameEncodeError).message).toMatch(reason);
  };

  it('CVL 0 or rounding to 0, negative or oversized current limits, NaN', () => {
    refuses(limits(0, 10, 10, 45), 'chargeVoltageLimitV', /above 0/);
    refuses(limits(0.04, 10, 10, 45), 'chargeVoltageLimitV', /above 0/);
    refuses(limits(53.2, -0.1, 10, 45), 'chargeCurrentLimitA', /never negative/);
    refuses(limits(53.2, 10, -5, 45), 'dischargeCurrentLimitA', /never negative/);
    refuses(limits(53.2, 3276.8, 10, 45), 'chargeCurrentLimitA', /outside the field range/);
    refuses(limits(53.2, 10, 10, Number.NaN), 'dischargeVoltageLimitV', /finite/);
  });

  it('values outside their fields in 0x355, 0x356 and 0x359', () => {
    refuses(soc(-1, 100), 'stateOfChargePercent', /outside the field range/);
    refuses(measurements(400, 0, 20), 'batteryVoltageV', /outside the field range/);
    refuses(measurements(50, 0, Number.POSITIVE_INFINITY), 'batteryTemperatureC', /finite/);
    refuses(protection(256), 'moduleCount', /outside the field range/);
    refuses(protection(-1), 'moduleCount', /outside the field range/);
  });

  it('a manufacturer name longer than 8 characters or outside 7-bit ASCII', () => {
    refuses({ kind: 'manufacturer', name: 'PYLONTECH' }, 'name', /longer than 8/);
    refuses({ kind: 'manufacturer', name: 'PYLÖN' }, 'name', /ASCII/);
  });
});

describe('properties', () => {
  const within = (a: number, b: number, step: number) => Math.abs(a - b) <= step / 2 + 1e-9;
  const profileIds = Object.values(PylontechFrameId);
  const sentIds = profileIds.filter((id) => id !== PylontechFrameId.INVERTER_REPLY);
  const flagsOf = <K extends string>(template: Readonly<Record<K, boolean>>) =>
    fc.record(Object.fromEntries(Object.keys(template).map((k) => [k, fc.boolean()]))) as fc.Arbitrary<
      Record<K, boolean>
    >;

  const validLimits = fc.record({
    kind: fc.constant('chargeLimits' as const),
    chargeVoltageLimitV: fc.double({ min: 0.05, max: 6553.5, noNaN: true }),
    chargeCurrentLimitA: fc.double({ min: 0, max: 3276.7, noNaN: true }),
    dischargeCurrentLimitA: fc.double({ min: 0, max: 3276.7, noNaN: true }),
    dischargeVoltageLimitV: fc.double({ min: 0, max: 6553.5, noNaN: true }),
  });
  const anyMessage: fc.Arbitrary<PylontechMessage> = fc.oneof(
    validLimits,
    fc.record({
      kind: fc.constant('stateOfCharge' as const),
      stateOfChargePercent: fc.integer({ min: 0, max: 100 }),
      stateOfHealthPercent: fc.integer({ min: 0, max: 100 }),
    }),
    fc.record({
      kind: fc.constant('measurements' as const),
      batteryVoltageV: fc.double({ min: -327.68, max: 327.67, noNaN: true }),
      batteryCurrentA: fc.double({ min: -3276.8, max: 3276.7, noNaN: true }),
      batteryTemperatureC: fc.double({ min: -3276.8, max: 3276.7, noNaN: true }),
    }),
    fc.record({
      kind: fc.constant('protectionAlarms' as const),
      protection: flagsOf(noProtection),
      alarms: flagsOf(noAlarms),
      moduleCount: fc.integer({ min: 0, max: 255 }),
    }),
    fc.record({ kind: fc.constant('requestFlags' as const), requests: flagsOf(chargeAndDischarge) }),
    fc.record({
      kind: fc.constant('manufacturer' as const),
      // Printable ASCII without trailing spaces: the padding is spaces, so those cannot come back.
      name: fc.stringMatching(/^([!-~]([ -~]{0,6}[!-~])?)?$/),
    }),
  );

  it('any valid message: one of the profile ids, standard 11-bit and below 0x400, 8 bytes', () => {
    fc.assert(
      fc.property(anyMessage, (message) => {
        const frame = encodePylontechMessage(message);
        expect(sentIds).toContain(frame.id);
        expect(frame.id).toBeLessThan(0x400);
        expect(frame.data.length).toBe(8);
      }),
    );
  });

  it('any valid limits: CVL > 0 and CCL, DCL >= 0 on the wire (P-3)', () => {
    fc.assert(
      fc.property(validLimits, (message) => {
        const { data } = encodePylontechMessage(message);
        const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
        expect(view.getUint16(0, true)).toBeGreaterThan(0);
        expect(view.getInt16(2, true)).toBeGreaterThanOrEqual(0);
        expect(view.getInt16(4, true)).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('decode(encode(x)) equals x within field resolution', () => {
    fc.assert(
      fc.property(anyMessage, (message) => {
        const decoded = decodePylontechFrame(encodePylontechMessage(message));
        if (message.kind === 'chargeLimits' && decoded.kind === 'chargeLimits') {
          for (const field of [
            'chargeVoltageLimitV',
            'chargeCurrentLimitA',
            'dischargeCurrentLimitA',
            'dischargeVoltageLimitV',
          ] as const) {
            expect(within(decoded[field], message[field], 0.1)).toBe(true);
          }
        } else if (message.kind === 'measurements' && decoded.kind === 'measurements') {
          expect(within(decoded.batteryVoltageV, message.batteryVoltageV, 0.01)).toBe(true);
          expect(within(decoded.batteryCurrentA, message.batteryCurrentA, 0.1)).toBe(true);
          expect(within(decoded.batteryTemperatureC, message.batteryTemperatureC, 0.1)).toBe(true);
        } else {
          expect(decoded).toEqual(asDecoded(message));
        }
      }),
    );
  });

  it('decode never throws, for any id and any 0..8 bytes', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(...profileIds, 0x307), fc.integer({ min: 0, max: 0x7ff })),
        fc.uint8Array({ minLength: 0, maxLength: 8 }),
        (id, data) => {
          const frame: CanFrame = { id, data };
          expect(() => decodePylontechFrame(frame)).not.toThrow();
        },
      ),
    );
  });
});
