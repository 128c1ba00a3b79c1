import { ManualClock, type ChargeSample, type CurrentSample, type VoltageSample } from '@tsbms/hal';
import { expectInvalidArgument, I2cMemoryDevice, MemoryI2cBus, RecordingLogger } from '@tsbms/hal/testing';
import { CurrentSensorError } from './current-sensor-error';
import { Ina228CurrentSource, type Ina228Options } from './ina228';
import { INA228_REGISTER } from './ina228-registers';
import { EmulatedIna228 } from './testing';

const SHUNT_OHM = 0.0001; // 500 A / 50 mV
const HOUR_MS = 3_600_000;

function setUp(options: Partial<Ina228Options> = {}) {
  const clock = new ManualClock();
  const bus = new MemoryI2cBus('/dev/i2c-1');
  const chip = bus.attach(0x40, new EmulatedIna228(SHUNT_OHM, clock));
  const logger = new RecordingLogger();
  const open = () =>
    Ina228CurrentSource.open({
      bus,
      address: 0x40,
      shuntOhm: SHUNT_OHM,
      maxCurrentA: 500,
      clock,
      logger,
      ...options,
    });
  return { clock, bus, chip, logger, open };
}

function collect(source: Ina228CurrentSource) {
  const current: CurrentSample[] = [];
  const voltage: VoltageSample[] = [];
  const charge: ChargeSample[] = [];
  source.current$.subscribe((sample) => current.push(sample));
  source.busVoltage$.subscribe((sample) => voltage.push(sample));
  source.chargeAh$.subscribe((sample) => charge.push(sample));
  return { current, voltage, charge };
}

const logLines = (logger: RecordingLogger) => logger.lines.map((l) => `${l.level}: ${l.message}`);

describe('Ina228CurrentSource', () => {
  it('checks the IDs, calibrates, converts shunt and bus continuously, clears the charge, sets the range', async () => {
    const { bus, chip, open } = setUp();
    await open();
    expect(bus.transactions).toEqual([
      'w 40 3e',
      'r 40 2', // manufacturer ID
      'w 40 3f',
      'r 40 2', // device ID
      'w 40 02 10 00', // SHUNT_CAL 4096: CURRENT_LSB = full scale / 2^19
      'w 40 02',
      'r 40 2',
      'w 40 01 bb 6a', // ADC_CONFIG: shunt and bus continuous, 1052 µs, 16 averages
      'w 40 01',
      'r 40 2',
      'w 40 00 40 00', // CONFIG with RSTACC: the accumulator starts at zero
      'w 40 00 00 00', // CONFIG: ±163.84 mV, since 500 A × 100 µΩ = 50 mV
      'w 40 00',
      'r 40 2',
    ]);
    expect(chip.register(INA228_REGISTER.configuration)).toBe(0x0000);
  });

  it('picks the ±40.96 mV range when the largest current’s shunt voltage fits, for steps four times finer', async () => {
    const { clock, bus, chip, open } = setUp({ maxCurrentA: 400 }); // 40 mV
    const { current } = collect(await open());
    expect(bus.transactions).toContain('w 40 00 00 10');
    chip.setCurrent(12.3457);
    await clock.advanceByMs(100);
    // 78.125 nV / 100 µΩ = 0.78 mA per step (3.1 mA at ±163.84 mV)
    expect(Math.abs(current[0].currentA - 12.3457)).toBeLessThan(0.00079 / 2);
  });

  it('samples every interval: shunt volts / ohms, + from IN+ to IN−, and the bus voltage', async () => {
    const { clock, chip, open } = setUp();
    const source = await open();
    const { current, voltage } = collect(source);
    chip.setCurrent(-123.4);
    chip.setBusVoltage(52.1);
    await clock.advanceByMs(99);
    expect(current).toEqual([]);
    await clock.advanceByMs(1);
    chip.setCurrent(250);
    await clock.advanceByMs(100);
    expect(current.map((s) => s.timeMs)).toEqual([100, 200]);
    expect(current[0].currentA).toBeCloseTo(-123.4, 2); // 312.5 nV / 100 µΩ: 3.125 mA per step
    expect(current[1].currentA).toBeCloseTo(250, 2);
    expect(current.map((s) => s.quality)).toEqual(['good', 'good']);
    expect(voltage.map((s) => s.timeMs)).toEqual([100, 200]);
    expect(voltage[0].voltageV).toBeCloseTo(52.1, 3); // 195.3 µV per step
    expect(source.counters()).toEqual({ samples: 2, dropped: 0 });
  });

  it('counts the charge in the chip from open(), + charging, in ampere-hours', async () => {
    const { clock, chip, open } = setUp({ sampleIntervalMs: 60_000 });
    chip.setCurrent(80);
    await clock.advanceByMs(HOUR_MS); // counted before open: cleared by RSTACC
    const { charge } = collect(await open());
    chip.setCurrent(100);
    await clock.advanceByMs(HOUR_MS);
    chip.setCurrent(-40);
    await clock.advanceByMs(HOUR_MS / 2);
    expect(charge).toHaveLength(90);
    expect(charge[59]).toEqual({ timeMs: 2 * HOUR_MS, chargeAh: expect.closeTo(100, 6) as number });
    expect(charge[89].chargeAh).toBeCloseTo(100 - 20, 6);
  });

  it('flags a reading at the end of the ±163.84 mV input as overrange', async () => {
    const { clock, chip, open } = setUp();
    const { current } = collect(await open());
    chip.setCurrent(-2000); // −200 mV across 100 µΩ: beyond the input range
    await clock.advanceByMs(100);
    expect(current[0]).toMatchObject({ quality: 'overrange' });
    expect(current[0].currentA).toBeCloseTo(-1638.4, 1);
  });

  it('scales the bus voltage by the divider ratio', async () => {
    const { clock, chip, open } = setUp({ busVoltageScale: 2 });
    const { voltage } = collect(await open());
    chip.setBusVoltage(25);
    await clock.advanceByMs(100);
    expect(voltage[0].voltageV).toBeCloseTo(50, 3);
  });

  it('stops the charge for good when CHARGE overflowed, logs it once, and goes on with current and voltage', async () => {
    const { clock, chip, logger, open } = setUp();
    const source = await open();
    chip.setCurrent(1638.4); // full scale: 2^19 counts a second wrap the 40-bit CHARGE after 2^20 s
    await clock.advanceByMs((2 ** 20 + 10) * 1000); // not sampled: nobody subscribes yet
    const { current, voltage, charge } = collect(source);
    await clock.advanceByMs(300);
    expect(charge).toEqual([]);
    expect(current).toHaveLength(3);
    expect(voltage).toHaveLength(3);
    expect(logLines(logger)).toEqual([
      'warn: INA228 at /dev/i2c-1 0x40: the charge accumulator overflowed (DIAG_ALRT 0x401), ' +
        'no charge from it until the sensor is opened again',
    ]);
  });

  it('stops the charge when the chip reports a math overflow (CURRENT beyond 20 bits)', async () => {
    const { clock, bus, chip, logger, open } = setUp();
    const { current, charge } = collect(await open());
    chip.setCurrent(10);
    await clock.advanceByMs(100);
    await bus.writeWord(0x40, INA228_REGISTER.shuntCalibration, 1); // someone else's calibration
    await clock.advanceByMs(100);
    expect(charge).toHaveLength(1);
    expect(current).toHaveLength(2);
    expect(logger.lines.map((l) => l.message)).toEqual([expect.stringContaining('(DIAG_ALRT 0x201)')]);
  });

  it('drops failed reads, counts them, logs the outage once and the recovery', async () => {
    const { clock, bus, chip, logger, open } = setUp();
    const source = await open();
    const { current, charge } = collect(source);
    chip.setCurrent(10);
    bus.detach(0x40);
    await clock.advanceByMs(300);
    expect(current).toEqual([]);
    bus.attach(0x40, chip);
    await clock.advanceByMs(100);
    expect(current.map((s) => s.timeMs)).toEqual([400]);
    expect(charge.map((s) => s.timeMs)).toEqual([400]);
    expect(source.counters()).toEqual({ samples: 1, dropped: 3 });
    expect(logLines(logger)).toEqual([
      'warn: INA228 at /dev/i2c-1 0x40: reading failed, no current until it answers ' +
        '(/dev/i2c-1 device 0x40 register 0x0b: no device answers)',
      'info: INA228 at /dev/i2c-1 0x40 answers again',
    ]);
    expect(logger.lines[0].fields).toMatchObject({ code: 'I2C_NO_DEVICE' });
  });

  it('stops reading the bus when closed', async () => {
    const { clock, bus, open } = setUp();
    const source = await open();
    const before = bus.transactions.length;
    const { current } = collect(source);
    await clock.advanceByMs(100);
    await source.close();
    await clock.advanceByMs(500);
    expect(current).toHaveLength(1);
    expect(bus.transactions.length).toBe(before + 8); // DIAG_ALRT, VSHUNT, VBUS, CHARGE
  });

  it('refuses a chip whose IDs are not an INA228 with WRONG_DEVICE naming both IDs', async () => {
    const clock = new ManualClock();
    const bus = new MemoryI2cBus('/dev/i2c-1');
    bus.attach(0x41, new I2cMemoryDevice());
    const error = await Ina228CurrentSource.open({
      bus,
      address: 0x41,
      shuntOhm: SHUNT_OHM,
      maxCurrentA: 500,
      clock,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CurrentSensorError);
    expect(error).toMatchObject({
      code: 'WRONG_DEVICE',
      context: { sensor: 'INA228 at /dev/i2c-1 0x41', register: INA228_REGISTER.deviceId },
    });
    expect((error as Error).message).toContain(
      'manufacturer ID 0x0000, device ID 0x0000; expected 0x5449 and 0x228x',
    );
  });

  it('takes an INA228 of any die revision (DEVICE_ID bits 3-0)', async () => {
    const { bus, chip, open } = setUp();
    let pointer = 0;
    bus.attach(0x40, {
      write: (bytes) => {
        pointer = bytes[0];
        chip.write(bytes);
      },
      read: (length) =>
        pointer === INA228_REGISTER.deviceId ? Uint8Array.of(0x22, 0x82) : chip.read(length),
    });
    await expect(open()).resolves.toBeInstanceOf(Ina228CurrentSource);
  });

  it('refuses a chip that does not keep its configuration with CONFIG_NOT_APPLIED', async () => {
    const { chip, open } = setUp();
    chip.write = function (bytes) {
      EmulatedIna228.prototype.write.call(this, bytes.length === 3 ? Uint8Array.of(bytes[0]) : bytes);
    };
    // SHUNT_CAL reads back right: 0x1000 is its reset value too.
    await expect(open()).rejects.toMatchObject({
      code: 'CONFIG_NOT_APPLIED',
      context: { register: INA228_REGISTER.adcConfiguration },
    });
  });

  it('passes on the bus error when nothing answers at the address (I2C_NO_DEVICE)', async () => {
    const { open } = setUp({ address: 0x45 });
    await expect(open()).rejects.toMatchObject({ code: 'I2C_NO_DEVICE', context: { address: 0x45 } });
  });

  it.each([
    ['address', { address: 0x68 }],
    ['shuntOhm', { shuntOhm: Number.NaN }],
    ['maxCurrentA', { maxCurrentA: Number.NaN }],
    ['maxCurrentA', { maxCurrentA: 0 }],
    ['maxCurrentA', { maxCurrentA: 2000 }], // 200 mV across 100 µΩ
    ['sampleIntervalMs', { sampleIntervalMs: 5 }],
    ['averages', { averages: 3 as 1 }],
    ['conversionTimeUs', { conversionTimeUs: 1100 as 1052 }],
    ['busVoltageScale', { busVoltageScale: Number.POSITIVE_INFINITY }],
    ['sampleIntervalMs', { averages: 64 as const, sampleIntervalMs: 100 }], // 64 × 2.1 ms > 100 ms
  ])('refuses a bad %s with INVALID_OPTION naming it, before touching the bus', async (option, bad) => {
    const { bus, open } = setUp(bad);
    await expect(open()).rejects.toMatchObject({ code: 'INVALID_OPTION', context: { option } });
    expect(bus.transactions).toEqual([]);
  });

  it('refuses something that is not an I2cBus or a Clock with InvalidArgumentError', async () => {
    await expectInvalidArgument(
      () =>
        Ina228CurrentSource.open({
          bus: new MemoryI2cBus(),
          address: 0x40,
          shuntOhm: 1,
          maxCurrentA: 0.1,
          clock: {} as ManualClock,
        }),
      'options.clock',
    );
  });
});
