import { ManualClock, type CurrentSample } from '@tsbms/hal';
import { MemoryI2cBus, RecordingLogger } from '@tsbms/hal/testing';
import type { HallTransducer } from './hall-transducer';
import { Mcp3421CurrentSource, type Mcp3421Options } from './mcp3421';
import { EmulatedMcp3421 } from './testing';

/** pyBMS's defaults: a C2T transducer (5 V ± 2 V at ±200 A) reaching the ADC at 1.6025 V at rest. */
const PYBMS: HallTransducer = { zeroPointV: 1.6025, maxCurrentA: 200, outputZeroV: 5, outputSwingV: 2 };
/** One 18-bit step (15.625 µV) in amperes at 3.205 mV/A. */
const STEP_A = 15.625e-6 / 0.003205;

function setUp(options: Partial<Mcp3421Options> = {}) {
  const clock = new ManualClock();
  const bus = new MemoryI2cBus('/dev/i2c-1');
  const chip = bus.attach(0x68, new EmulatedMcp3421(PYBMS, clock));
  const logger = new RecordingLogger();
  const open = () =>
    Mcp3421CurrentSource.open({
      bus,
      address: 0x68,
      zeroPointV: PYBMS.zeroPointV,
      maxCurrentA: PYBMS.maxCurrentA,
      clock,
      logger,
      ...options,
    });
  return { clock, bus, chip, logger, open };
}

function collect(source: Mcp3421CurrentSource): CurrentSample[] {
  const samples: CurrentSample[] = [];
  source.current$.subscribe((sample) => samples.push(sample));
  return samples;
}

const logLines = (logger: RecordingLogger) => logger.lines.map((l) => `${l.level}: ${l.message}`);

describe('Mcp3421CurrentSource', () => {
  it('writes 18 bits, gain 1, continuous (0x1C) and reads it back behind the result', async () => {
    const { bus, open } = setUp();
    await open();
    expect(bus.transactions).toEqual(['w 68 1c', 'r 68 4']);
  });

  it('reads the result every 500 ms and turns it into amperes as pyBMS does', async () => {
    const { clock, chip, open } = setUp();
    const source = await open();
    const samples = collect(source);
    chip.setCurrent(-87.5);
    await clock.advanceByMs(500);
    chip.setInputVoltage(1.9); // pyBMS: ((1.9 / (1.6025 / 5)) - 5) / 2 * 200 = 92.82 A
    await clock.advanceByMs(500);
    expect(samples.map((s) => s.timeMs)).toEqual([500, 1000]);
    expect(Math.abs(samples[0].currentA + 87.5)).toBeLessThan(STEP_A);
    expect(Math.abs(samples[1].currentA - ((1.9 / (1.6025 / 5) - 5) / 2) * 200)).toBeLessThan(STEP_A);
    expect(samples.map((s) => s.quality)).toEqual(['good', 'good']);
    expect(source.counters()).toEqual({ samples: 2, dropped: 0 });
  });

  it('reads 12-16 bit results in three bytes, through the gain', async () => {
    // A divider to 0.8 V at rest suits gain 2 (±1.024 V): 1.6 mV/A at the input.
    const { clock, bus, chip, open } = setUp({
      zeroPointV: 0.8,
      resolutionBits: 16,
      gain: 2,
      sampleIntervalMs: 100,
    });
    const samples = collect(await open());
    chip.setInputVoltage(0.9);
    await clock.advanceByMs(100);
    expect(bus.transactions).toEqual(['w 68 19', 'r 68 3', 'r 68 3']);
    expect(Math.abs(samples[0].currentA - 62.5)).toBeLessThan(62.5e-6 / 2 / 0.0016);
  });

  it('drops a result read before (RDY set) rather than use it twice, counts it and logs it once', async () => {
    const { clock, bus, logger, open } = setUp();
    const source = await open();
    const samples = collect(source);
    await clock.advanceByMs(500);
    await clock.advanceByMs(400);
    await bus.read(0x68, 4); // someone else takes the conversion of 800 ms
    await clock.advanceByMs(100);
    await clock.advanceByMs(500);
    expect(samples.map((s) => s.timeMs)).toEqual([500, 1500]);
    expect(source.counters()).toEqual({ samples: 2, dropped: 1 });
    expect(logLines(logger)).toEqual([
      'warn: MCP3421 at /dev/i2c-1 0x68: reading failed, no current until it answers ' +
        '(MCP3421 at /dev/i2c-1 0x68: no new conversion since the last read (RDY set): is it still converting?)',
      'info: MCP3421 at /dev/i2c-1 0x68 answers again',
    ]);
    expect(logger.lines[0].fields).toMatchObject({ code: 'NO_NEW_CONVERSION' });
  });

  it('writes the configuration again when the chip lost it (reset to 0x90), dropping that reading', async () => {
    const { clock, bus, logger, open } = setUp();
    const source = await open();
    const samples = collect(source);
    await clock.advanceByMs(500);
    await bus.write(0x68, Uint8Array.of(0x90)); // a brown-out: 12 bits at 240 SPS
    await clock.advanceByMs(500);
    await clock.advanceByMs(500);
    expect(samples.map((s) => s.timeMs)).toEqual([500, 1500]);
    expect(bus.transactions.slice(-4)).toEqual(['w 68 90', 'r 68 4', 'w 68 1c', 'r 68 4']);
    expect(logger.lines[0]).toMatchObject({
      fields: { code: 'CONFIG_NOT_APPLIED' },
      message: expect.stringContaining(
        'the chip reports configuration 0x10, not 0x1c (was it reset?)',
      ) as string,
    });
  });

  it('flags a code at the end of the range as overrange (the ±2.048 V input clips)', async () => {
    const { clock, chip, open } = setUp();
    const samples = collect(await open());
    chip.setCurrent(180); // 2.1794 V: pyBMS's zero point leaves room for +139 A only
    await clock.advanceByMs(500);
    expect(samples[0]).toMatchObject({ quality: 'overrange' });
    expect(samples[0].currentA).toBeCloseTo((2.048 - 15.625e-6 - 1.6025) / 0.003205, 6);
  });

  it('low-pass filters by time when asked, matching pyBMS’s 0.85 per read at 500 ms', async () => {
    const { clock, chip, open } = setUp({ filterTimeConstantMs: -500 / Math.log(0.85) });
    const source = await open();
    const first = collect(source);
    const second = collect(source); // one filter for every subscriber
    chip.setCurrent(0);
    await clock.advanceByMs(500);
    chip.setCurrent(100);
    await clock.advanceByMs(1000);
    expect(first.map((s) => s.currentA)).toEqual([
      expect.closeTo(0, 2),
      expect.closeTo(15, 2),
      expect.closeTo(27.75, 2),
    ]);
    expect(second).toEqual(first);
  });

  it('drops failed reads, counts them and logs the outage once (a chip unplugged)', async () => {
    const { clock, bus, chip, logger, open } = setUp();
    const source = await open();
    const samples = collect(source);
    bus.detach(0x68);
    await clock.advanceByMs(1000);
    bus.attach(0x68, chip);
    await clock.advanceByMs(500);
    expect(samples.map((s) => s.timeMs)).toEqual([1500]);
    expect(source.counters()).toEqual({ samples: 1, dropped: 2 });
    expect(logLines(logger)).toEqual([
      'warn: MCP3421 at /dev/i2c-1 0x68: reading failed, no current until it answers ' +
        '(/dev/i2c-1 device 0x68: no device answers)',
      'info: MCP3421 at /dev/i2c-1 0x68 answers again',
    ]);
  });

  it('passes on the bus error when nothing answers at the address (I2C_NO_DEVICE)', async () => {
    const { open } = setUp({ address: 0x69 });
    await expect(open()).rejects.toMatchObject({ code: 'I2C_NO_DEVICE', context: { address: 0x69 } });
  });

  it('refuses a chip that does not keep its configuration with CONFIG_NOT_APPLIED', async () => {
    const { chip, open } = setUp();
    chip.write = () => undefined; // keeps its power-on 12 bits
    await expect(open()).rejects.toMatchObject({
      code: 'CONFIG_NOT_APPLIED',
      message: 'MCP3421 at /dev/i2c-1 0x68: wrote configuration 0x1c, read back 0x90',
    });
  });

  it.each([
    ['address', { address: 0x48 }],
    ['zeroPointV', { zeroPointV: Number.NaN }],
    ['zeroPointV', { zeroPointV: 1.5, gain: 2 as const }], // beyond ±1.024 V at gain 2
    ['maxCurrentA', { maxCurrentA: 0 }],
    ['outputZeroV', { outputZeroV: 0 }],
    ['outputSwingV', { outputSwingV: -2 }],
    ['resolutionBits', { resolutionBits: 17 as 18 }],
    ['gain', { gain: 3 as 1 }],
    ['sampleIntervalMs', { sampleIntervalMs: 300 }], // 266.7 ms per 18-bit conversion, 1.5 needed
    ['sampleIntervalMs', { sampleIntervalMs: Number.NaN }],
    ['filterTimeConstantMs', { filterTimeConstantMs: -1 }],
  ])('refuses a bad %s with INVALID_OPTION naming it, before touching the bus', async (option, bad) => {
    const { bus, open } = setUp(bad);
    await expect(open()).rejects.toMatchObject({ code: 'INVALID_OPTION', context: { option } });
    expect(bus.transactions).toEqual([]);
  });
});
