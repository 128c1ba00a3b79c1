import fc from 'fast-check';
import { FakeCurrentSource } from '@tsbms/hal/testing';
import type { CurrentSample } from '@tsbms/hal';
import {
  calibratedCurrentSource,
  calibrateCurrentA,
  IDENTITY_CALIBRATION,
  validateCalibration,
  type CurrentCalibration,
} from './calibration';

const calibration = (fields: Partial<CurrentCalibration>) => ({ ...IDENTITY_CALIBRATION, ...fields });

describe('calibrateCurrentA', () => {
  it.each([
    ['identity', {}, 12.5, 12.5],
    ['zero offset first, then gain', { zeroOffsetA: 0.4, gain: 1.02 }, 100.4, 102],
    ['reversed wiring', { reversed: true }, -30, 30],
    ['inside the deadband', { deadbandA: 0.3 }, -0.25, 0],
    ['at the deadband edge', { deadbandA: 0.3 }, 0.3, 0.3],
    ['offset brings noise into the deadband', { zeroOffsetA: 0.5, deadbandA: 0.2 }, 0.6, 0],
  ])('%s', (_, fields, raw, expected) => {
    expect(calibrateCurrentA(raw, calibration(fields))).toBeCloseTo(expected, 9);
  });

  it('never gives -0, and reversing twice changes nothing', () => {
    expect(Object.is(calibrateCurrentA(0, calibration({ reversed: true })), 0)).toBe(true);
    fc.assert(
      fc.property(fc.double({ min: -2000, max: 2000, noNaN: true }), (raw) => {
        const reversed = calibration({ reversed: true });
        expect(calibrateCurrentA(-calibrateCurrentA(raw, reversed), IDENTITY_CALIBRATION)).toBeCloseTo(
          raw,
          9,
        );
      }),
    );
  });
});

describe('validateCalibration', () => {
  it('fills the identity and freezes', () => {
    const valid = validateCalibration('s', { reversed: true });
    expect(valid).toEqual({ zeroOffsetA: 0, gain: 1, reversed: true, deadbandA: 0 });
    expect(Object.isFrozen(valid)).toBe(true);
  });
  it.each([
    ['calibration.gain', { gain: 0 }],
    ['calibration.gain', { gain: Number.NaN }],
    ['calibration.deadbandA', { deadbandA: -1 }],
    ['calibration.zeroOffsetA', { zeroOffsetA: 5000 }],
    ['calibration.reversed', { reversed: 'yes' as unknown as boolean }],
  ])('refuses a bad %s', (option, fields) => {
    expect(() => validateCalibration('INA226 at /dev/i2c-1 0x40', fields)).toThrow(
      expect.objectContaining({
        code: 'INVALID_OPTION',
        context: { sensor: 'INA226 at /dev/i2c-1 0x40', option },
      }),
    );
  });
});

describe('calibratedCurrentSource', () => {
  it('calibrates each sample and keeps its time, quality, the bus voltage and the counters', async () => {
    const sensor = new FakeCurrentSource('INA226', { busVoltage: true });
    const calibrated = calibratedCurrentSource(sensor, calibration({ reversed: true, deadbandA: 0.5 }));
    const samples: CurrentSample[] = [];
    const volts: number[] = [];
    calibrated.current$.subscribe((s) => samples.push(s));
    calibrated.busVoltage$?.subscribe((v) => volts.push(v.voltageV));
    sensor.emit(100, -42, 'good');
    sensor.emit(200, 0.2, 'good');
    sensor.emit(300, -819.2, 'overrange');
    sensor.emitBusVoltage(300, 52);
    expect(samples).toEqual([
      { timeMs: 100, currentA: 42, quality: 'good' },
      { timeMs: 200, currentA: 0, quality: 'good' },
      { timeMs: 300, currentA: 819.2, quality: 'overrange' },
    ]);
    expect(volts).toEqual([52]);
    expect(calibrated.counters()).toEqual({ samples: 3, dropped: 0 });
    expect(calibrated.description).toBe('INA226');
  });

  it("scales and signs the device's own charge counter as its current (a gain and a direction, no offset)", () => {
    const sensor = new FakeCurrentSource('INA228', { chargeAh: true });
    const calibrated = calibratedCurrentSource(
      sensor,
      calibration({ reversed: true, gain: 1.02, zeroOffsetA: 0.3 }),
    );
    const charges: number[] = [];
    calibrated.chargeAh$?.subscribe((c) => charges.push(c.chargeAh));
    sensor.emitCharge(100, -10);
    sensor.emitCharge(200, 0);
    expect(charges).toEqual([10.2, 0]);
    expect(Object.is(charges[1], -0)).toBe(false);
  });
});
