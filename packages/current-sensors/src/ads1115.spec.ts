import { ManualClock, type CurrentSample } from '@tsbms/hal';
import { MemoryI2cBus, RecordingLogger } from '@tsbms/hal/testing';
import { Ads1115CurrentSource, type Ads1115Options } from './ads1115';
import { ADS1115_REGISTER } from './ads1115-registers';
import { EmulatedAds1115 } from './testing';

function setUp(options: Partial<Ads1115Options> = {}) {
  const clock = new ManualClock();
  const bus = new MemoryI2cBus('/dev/i2c-1');
  const chip = bus.attach(0x48, new EmulatedAds1115());
  const logger = new RecordingLogger();
  const open = () =>
    Ads1115CurrentSource.open({
      bus,
      address: 0x48,
      transducer: { kind: 'shunt', shuntOhm: 0.0001 },
      clock,
      logger,
      ...options,
    });
  return { clock, bus, chip, logger, open };
}

function collect(source: Ads1115CurrentSource): CurrentSample[] {
  const samples: CurrentSample[] = [];
  source.current$.subscribe((sample) => samples.push(sample));
  return samples;
}

describe('Ads1115CurrentSource', () => {
  it('configures a shunt on AIN0-AIN1 at ±0.256 V, continuous, 128 SPS (0x0A83) and reads it back', async () => {
    const { bus, open } = setUp();
    await open();
    expect(bus.transactions).toEqual(['w 48 01 0a 83', 'w 48 01', 'r 48 2']);
  });

  it('reads the conversion every interval: shunt volts / ohms, in 7.8 µV steps', async () => {
    const { clock, chip, open } = setUp();
    const samples = collect(await open());
    chip.setInputVoltage(0.0125); // 125 A through 100 µΩ
    await clock.advanceByMs(100);
    chip.setInputVoltage(-0.003);
    await clock.advanceByMs(100);
    expect(samples.map((s) => s.timeMs)).toEqual([100, 200]);
    expect(samples[0].currentA).toBeCloseTo(125, 1);
    expect(samples[1].currentA).toBeCloseTo(-30, 1);
    expect(samples.map((s) => s.quality)).toEqual(['good', 'good']);
  });

  it('turns a hall sensor output into amperes around its zero point, on AIN0 at ±6.144 V', async () => {
    const { clock, bus, chip, open } = setUp({
      transducer: { kind: 'hall', zeroV: 2.5, voltsPerAmpere: 0.004 }, // 4 mV/A
      fullScaleV: 6.144,
    });
    const samples = collect(await open());
    expect(bus.transactions[0]).toBe('w 48 01 40 83');
    chip.setInputVoltage(2.9); // 0.4 V above zero: 100 A charging
    await clock.advanceByMs(100);
    chip.setInputVoltage(2.1);
    await clock.advanceByMs(100);
    expect(samples[0].currentA).toBeCloseTo(100, 0);
    expect(samples[1].currentA).toBeCloseTo(-100, 0);
  });

  it('flags a conversion at the end of the range as overrange', async () => {
    const { clock, chip, open } = setUp();
    const samples = collect(await open());
    chip.setInputVoltage(0.3);
    await clock.advanceByMs(100);
    expect(samples[0]).toMatchObject({ quality: 'overrange' });
  });

  it('drops failed reads and logs the outage once', async () => {
    const { clock, bus, logger, open } = setUp();
    const source = await open();
    const samples = collect(source);
    bus.failTransfers(0x48);
    await clock.advanceByMs(200);
    bus.failTransfers(undefined);
    await clock.advanceByMs(100);
    expect(samples).toHaveLength(1);
    expect(source.counters()).toEqual({ samples: 1, dropped: 2 });
    expect(logger.lines.map((l) => l.level)).toEqual(['warn', 'info']);
  });

  it('refuses a chip that does not keep its configuration', async () => {
    const { chip, open } = setUp();
    chip.write = (bytes) => EmulatedAds1115.prototype.write.call(chip, bytes.subarray(0, 1));
    await expect(open()).rejects.toMatchObject({
      code: 'CONFIG_NOT_APPLIED',
      context: { register: ADS1115_REGISTER.config },
    });
  });

  it.each([
    ['address', { address: 0x40 }],
    ['transducer', { transducer: { kind: 'magic' } as never }],
    ['transducer.shuntOhm', { transducer: { kind: 'shunt', shuntOhm: 0 } as const }],
    [
      'transducer.voltsPerAmpere',
      { transducer: { kind: 'hall', zeroV: 2.5, voltsPerAmpere: Number.NaN } as const },
    ],
    ['input', { input: 'ain4' as 'ain0' }],
    ['fullScaleV', { fullScaleV: 1 as 1.024 }],
    ['dataRateSps', { dataRateSps: 100 as 128 }],
    ['sampleIntervalMs', { dataRateSps: 8 as const, sampleIntervalMs: 100 }], // 125 ms per conversion
  ])('refuses a bad %s with INVALID_OPTION naming it, before touching the bus', async (option, bad) => {
    const { bus, open } = setUp(bad);
    await expect(open()).rejects.toMatchObject({ code: 'INVALID_OPTION', context: { option } });
    expect(bus.transactions).toEqual([]);
  });
});
