import { ManualClock, type CurrentSample, type VoltageSample } from '@tsbms/hal';
import { expectInvalidArgument, I2cMemoryDevice, MemoryI2cBus, RecordingLogger } from '@tsbms/hal/testing';
import { CurrentSensorError } from './current-sensor-error';
import { Ina226CurrentSource, type Ina226Options } from './ina226';
import { INA226_REGISTER } from './ina226-registers';
import { EmulatedIna226 } from './testing';

const SHUNT_OHM = 0.0001; // 500 A / 50 mV

function setUp(options: Partial<Ina226Options> = {}) {
  const clock = new ManualClock();
  const bus = new MemoryI2cBus('/dev/i2c-1');
  const chip = bus.attach(0x40, new EmulatedIna226(SHUNT_OHM));
  const logger = new RecordingLogger();
  const open = () =>
    Ina226CurrentSource.open({ bus, address: 0x40, shuntOhm: SHUNT_OHM, clock, logger, ...options });
  return { clock, bus, chip, logger, open };
}

function collect(source: Ina226CurrentSource) {
  const current: CurrentSample[] = [];
  const voltage: VoltageSample[] = [];
  source.current$.subscribe((sample) => current.push(sample));
  source.busVoltage$.subscribe((sample) => voltage.push(sample));
  return { current, voltage };
}

describe('Ina226CurrentSource', () => {
  it('checks the IDs and writes 16 averages of 1.1 ms, shunt and bus continuous (0x4527), then reads it back', async () => {
    const { bus, chip, open } = setUp();
    await open();
    expect(chip.register(INA226_REGISTER.configuration)).toBe(0x4527);
    expect(bus.transactions).toEqual([
      'w 40 fe',
      'r 40 2', // manufacturer ID
      'w 40 ff',
      'r 40 2', // die ID
      'w 40 00 45 27', // configuration
      'w 40 00',
      'r 40 2', // read back
    ]);
  });

  it('samples every interval on the clock: shunt volts / shunt ohms, + from IN+ to IN−, and the bus voltage', async () => {
    const { clock, chip, open } = setUp({ sampleIntervalMs: 100 });
    const source = await open();
    const { current, voltage } = collect(source);
    chip.setCurrent(-123.4);
    chip.setBusVoltage(26.5);
    await clock.advanceByMs(99);
    expect(current).toEqual([]);
    await clock.advanceByMs(1);
    chip.setCurrent(250);
    await clock.advanceByMs(100);
    expect(current.map((s) => s.timeMs)).toEqual([100, 200]);
    expect(current[0].currentA).toBeCloseTo(-123.4, 1); // 2.5 µV / 100 µΩ = 25 mA resolution
    expect(current[1].currentA).toBeCloseTo(250, 1);
    expect(current.map((s) => s.quality)).toEqual(['good', 'good']);
    expect(voltage).toEqual([
      { timeMs: 100, voltageV: 26.5 },
      { timeMs: 200, voltageV: 26.5 },
    ]);
    expect(source.counters()).toEqual({ samples: 2, dropped: 0 });
    await source.close();
  });

  it('flags a reading at the end of the ±81.92 mV input as overrange', async () => {
    const { clock, chip, open } = setUp();
    const { current } = collect(await open());
    chip.setCurrent(-1000); // -100 mV across 100 µΩ: beyond the input range
    await clock.advanceByMs(100);
    expect(current[0]).toMatchObject({ quality: 'overrange' });
    expect(current[0].currentA).toBeCloseTo(-819.2, 1);
  });

  it('scales the bus voltage by the divider ratio', async () => {
    const { clock, chip, open } = setUp({ busVoltageScale: 2 });
    const { voltage } = collect(await open());
    chip.setBusVoltage(25);
    await clock.advanceByMs(100);
    expect(voltage[0].voltageV).toBeCloseTo(50, 6);
  });

  it('drops failed reads, counts them, logs the outage once and the recovery, and never makes a sample of them', async () => {
    const { clock, bus, chip, logger, open } = setUp();
    const source = await open();
    const { current } = collect(source);
    chip.setCurrent(10);
    bus.failTransfers(0x40);
    await clock.advanceByMs(300);
    expect(current).toEqual([]);
    bus.failTransfers(undefined);
    await clock.advanceByMs(100);
    expect(current.map((s) => s.timeMs)).toEqual([400]);
    expect(source.counters()).toEqual({ samples: 1, dropped: 3 });
    expect(logger.lines.map((l) => `${l.level}: ${l.message}`)).toEqual([
      'warn: INA226 at /dev/i2c-1 0x40: reading failed, no current until it answers (/dev/i2c-1 device 0x40: remote I/O error)',
      'info: INA226 at /dev/i2c-1 0x40 answers again',
    ]);
  });

  it('stops reading the bus when closed, and when nobody subscribes', async () => {
    const { clock, bus, open } = setUp();
    const source = await open();
    const before = bus.transactions.length;
    await clock.advanceByMs(500);
    expect(bus.transactions.length).toBe(before); // nobody subscribed
    const { current } = collect(source);
    await clock.advanceByMs(100);
    await source.close();
    await clock.advanceByMs(500);
    expect(current).toHaveLength(1);
    expect(bus.transactions.length).toBe(before + 4);
  });

  it('refuses a chip whose IDs are not an INA226 with WRONG_DEVICE naming both IDs', async () => {
    const clock = new ManualClock();
    const bus = new MemoryI2cBus('/dev/i2c-1');
    bus.attach(0x41, new I2cMemoryDevice()); // answers, but reads zeros
    const error = await Ina226CurrentSource.open({ bus, address: 0x41, shuntOhm: SHUNT_OHM, clock }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CurrentSensorError);
    expect(error).toMatchObject({ code: 'WRONG_DEVICE', context: { sensor: 'INA226 at /dev/i2c-1 0x41' } });
    expect((error as Error).message).toContain(
      'manufacturer ID 0x0000, die ID 0x0000; expected 0x5449 and 0x2260',
    );
  });

  it('refuses a chip that does not keep its configuration with CONFIG_NOT_APPLIED', async () => {
    const { chip, open } = setUp();
    chip.write = function (bytes) {
      EmulatedIna226.prototype.write.call(this, bytes.length === 3 ? Uint8Array.of(bytes[0]) : bytes); // drops data
    };
    await expect(open()).rejects.toMatchObject({ code: 'CONFIG_NOT_APPLIED', context: { register: 0 } });
  });

  it('passes on the bus error when nothing answers at the address (I2C_NO_DEVICE)', async () => {
    const { open } = setUp({ address: 0x45 });
    await expect(open()).rejects.toMatchObject({ code: 'I2C_NO_DEVICE', context: { address: 0x45 } });
  });

  it.each([
    ['address', { address: 0x3f }],
    ['shuntOhm', { shuntOhm: 0 }],
    ['shuntOhm', { shuntOhm: Number.NaN }],
    ['sampleIntervalMs', { sampleIntervalMs: 5 }],
    ['averages', { averages: 3 as 1 }],
    ['conversionTimeUs', { conversionTimeUs: 1000 as 1100 }],
    ['busVoltageScale', { busVoltageScale: -1 }],
    ['sampleIntervalMs', { averages: 1024 as const, sampleIntervalMs: 1000 }], // 1024 × 2.2 ms > 1 s
  ])('refuses a bad %s with INVALID_OPTION naming it, before touching the bus', async (option, bad) => {
    const { bus, open } = setUp(bad);
    await expect(open()).rejects.toMatchObject({ code: 'INVALID_OPTION', context: { option } });
    expect(bus.transactions).toEqual([]);
  });

  it('refuses something that is not an I2cBus or a Clock with InvalidArgumentError', async () => {
    await expectInvalidArgument(
      () =>
        Ina226CurrentSource.open({
          bus: {} as MemoryI2cBus,
          address: 0x40,
          shuntOhm: 1,
          clock: new ManualClock(),
        }),
      'options.bus',
    );
  });
});
