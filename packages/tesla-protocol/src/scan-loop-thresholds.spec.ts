import { InvalidArgumentError, ManualClock } from '@tsbms/hal';
import { RecordingLogger } from '@tsbms/hal/testing';
import { hardwareThresholdsFromFaultLevels, type HardwareThresholds } from './commands';
import { TeslaProtocolError } from './errors';
import { decodeRequest } from './frames';
import { FaultStatus, Register } from './registers';
import { TeslaScanLoop } from './scan-loop';
import { createFakeModuleLoop } from './testing/fake-module-loop';

/*
 * TeslaScanLoop.setHardwareThresholds on the minimal module loop, in virtual time: the boards'
 * hardware thresholds follow a run-time change between scans, without a restart.
 */

const MODULES = 3;
const POLL_MS = 500;
const RETRY_MS = 5000;
/** COV 4.20 V (0x2C), CUV 3.50 V, OT 70 °C, as the runtime derives them from the fault levels. */
const initial = hardwareThresholdsFromFaultLevels({
  cellOverVoltageFaultV: 4.15,
  cellUnderVoltageFaultV: 3.55,
  overTemperatureFaultC: 65,
});
/** The user raised the over-voltage limit: COV 4.25 V is 0x2D. */
const raised: HardwareThresholds = { ...initial, covV: 4.25 };
const INITIAL_COV = 0x2c;
const RAISED_COV = 0x2d;
const RAISED_LOG =
  'hardware thresholds changed: COV 4.25 V / CUV 3.50 V / OT 70 °C written to module(s) 1, 2, 3 and verified';

function setUp(hardwareThresholds: HardwareThresholds | null = initial) {
  const clock = new ManualClock();
  /** Set while the echoes of module 2's writes are lost: its set-up times out, its scans do not. */
  let module2WritesFail = false;
  /** When each lost echo was due. */
  const lostEchoesMs: number[] = [];
  const chain = createFakeModuleLoop(clock, MODULES, {
    // 1 ms per transaction, so that a set-up between scans takes virtual time.
    replyDelayMs: 1,
    tamper: (written, reply) => {
      const request = decodeRequest(written);
      if (!module2WritesFail || !request.ok) return reply;
      if (request.frame.kind !== 'writeRequest' || request.frame.address !== 2) return reply;
      lostEchoesMs.push(clock.now());
      return null;
    },
  });
  const logger = new RecordingLogger();
  const loop = new TeslaScanLoop({
    link: chain.link,
    clock,
    logger,
    moduleCount: MODULES,
    pollIntervalS: POLL_MS / 1000,
    hardwareThresholds,
    readWithCrc: true,
    replyTimeoutMs: 100,
    discoveryRetryS: RETRY_MS / 1000,
  });
  const readingsMs: number[] = [];
  loop.readings$.subscribe(({ reading }) => readingsMs.push(reading.timestampMs));
  return {
    clock,
    loop,
    modules: chain.modules,
    readingsMs,
    lostEchoesMs,
    failModule2Writes: (fail: boolean) => (module2WritesFail = fail),
    /** CONFIG_COV as each board holds it. */
    covRegisters: () => chain.modules.map((m) => m.registers[Register.CONFIG_COV]),
    /** Writes of CONFIG_COV sent on the wire so far. */
    covWrites: () => writesTo(chain.link.writes, (register) => register === Register.CONFIG_COV),
    /** Writes sent so far, but for the scans' ADC_CONVERT. */
    writesButConvert: () => writesTo(chain.link.writes, (register) => register !== Register.ADC_CONVERT),
    logLines: (event: string) => logger.lines.filter((l) => l.fields.event === event),
    advanceS: async (seconds: number) => {
      for (let i = 0; i < seconds * 10; i++) await clock.advanceByMs(100);
    },
    finish: async () => {
      let stopped = false;
      void loop.stop().then(() => (stopped = true));
      while (!stopped) await clock.advanceByMs(10);
    },
  };
}

type Harness = ReturnType<typeof setUp>;

function writesTo(frames: readonly Uint8Array[], counted: (register: number) => boolean): number {
  return frames.filter((frame) => {
    const request = decodeRequest(frame);
    return request.ok && request.frame.kind === 'writeRequest' && counted(request.frame.register);
  }).length;
}

/** Starts the loop and runs until discovery and the first set-up are done and scans flow. */
async function running(hardwareThresholds: HardwareThresholds | null = initial): Promise<Harness> {
  const h = setUp(hardwareThresholds);
  h.loop.start();
  await h.advanceS(2);
  expect(h.logLines('setup')).toHaveLength(1);
  return h;
}

/** Gaps between consecutive readings from index `from` on. */
function gapsMs(readingsMs: readonly number[], from: number): number[] {
  return readingsMs.slice(from + 1).map((t, i) => t - readingsMs[from + i]);
}

describe('TeslaScanLoop.setHardwareThresholds', () => {
  it('writes changed thresholds into every board between scans: readings keep flowing, no rediscovery', async () => {
    const h = await running();
    expect(h.covRegisters()).toEqual([INITIAL_COV, INITIAL_COV, INITIAL_COV]);
    const discoveryLines = h.logLines('discovery').length;
    const from = h.readingsMs.length - 1;

    h.loop.setHardwareThresholds(raised);
    await h.advanceS(3);

    expect(h.covRegisters()).toEqual([RAISED_COV, RAISED_COV, RAISED_COV]);
    expect(h.logLines('thresholds').map((l) => [l.level, l.message])).toEqual([['info', RAISED_LOG]]);
    expect(h.readingsMs.length - from).toBeGreaterThanOrEqual(6);
    expect(Math.max(...gapsMs(h.readingsMs, from))).toBeLessThanOrEqual(POLL_MS);
    expect(h.logLines('discovery')).toHaveLength(discoveryLines);
    expect(h.logLines('setup')).toHaveLength(1);
    await h.finish();
  });

  it('makes the changed thresholds the ones a later reset set-up writes', async () => {
    const h = await running();
    h.loop.setHardwareThresholds(raised);
    await h.advanceS(1);
    // Module 2 comes back from a power-on reset with its factory COV.
    h.modules[1].registers[Register.CONFIG_COV] = INITIAL_COV;
    h.modules[1].registers[Register.FAULT_STATUS] |= FaultStatus.POR;
    await h.advanceS(RETRY_MS / 1000 + 1);
    expect(h.logLines('setup').at(-1)?.message).toBe(
      'setup of module(s) 2: latched bits cleared, hardware COV 4.25 V / CUV 3.50 V / OT 70 °C written and verified',
    );
    expect(h.covRegisters()).toEqual([RAISED_COV, RAISED_COV, RAISED_COV]);
    await h.finish();
  });

  it('keeps a change made while another is being written pending, and writes it next', async () => {
    const h = await running();
    const writes = h.covWrites();
    h.loop.setHardwareThresholds(raised);
    for (let ms = 0; ms < POLL_MS && h.covWrites() === writes; ms++) await h.clock.advanceByMs(1);
    expect(h.covRegisters()).toEqual([RAISED_COV, INITIAL_COV, INITIAL_COV]); // mid-write
    h.loop.setHardwareThresholds({ ...initial, covV: 4.15 }); // 0x2B
    await h.advanceS(2);
    expect(h.covRegisters()).toEqual([0x2b, 0x2b, 0x2b]);
    expect(h.logLines('thresholds').map((l) => l.message)).toEqual([
      RAISED_LOG,
      'hardware thresholds changed: COV 4.15 V / CUV 3.50 V / OT 70 °C written to module(s) 1, 2, 3 and verified',
    ]);
    await h.finish();
  });

  it('writes nothing for thresholds equal to the current ones', async () => {
    const h = await running();
    const writes = h.covWrites();
    h.loop.setHardwareThresholds({ ...initial });
    await h.advanceS(3);
    expect(h.covWrites()).toBe(writes);
    expect(h.logLines('thresholds')).toEqual([]);
    await h.finish();
  });

  it('keeps a change pending while a module fails, retries every retry interval, warns once, and writes it after the fault', async () => {
    const h = await running();
    h.failModule2Writes(true);
    const changedMs = h.clock.now();
    h.loop.setHardwareThresholds(raised);
    await h.advanceS(12);

    const attemptsMs = h.lostEchoesMs.filter((t, i) => i === 0 || t - h.lostEchoesMs[i - 1] > 1000);
    expect(attemptsMs).toHaveLength(3);
    expect(attemptsMs[0] - changedMs).toBeLessThanOrEqual(POLL_MS);
    gapsMs(attemptsMs, 0).forEach((gap) => expect(gap).toBeGreaterThanOrEqual(RETRY_MS));
    const warnings = h.logLines('thresholds');
    expect(warnings.map((l) => l.level)).toEqual(['warn']);
    expect(warnings[0].message).toMatch(/^hardware thresholds not changed yet: .*; retrying every 5 s$/);
    expect(warnings[0].fields.code).toBe('TIMEOUT');

    h.failModule2Writes(false);
    await h.advanceS(RETRY_MS / 1000);
    expect(h.logLines('thresholds').map((l) => l.message)).toEqual([warnings[0].message, RAISED_LOG]);
    expect(h.covRegisters()).toEqual([RAISED_COV, RAISED_COV, RAISED_COV]);
    // No longer pending: nothing more is written.
    const writes = h.covWrites();
    await h.advanceS(RETRY_MS / 1000 + 1);
    expect(h.covWrites()).toBe(writes);
    await h.finish();
  });

  it.each<[string, unknown, new (...args: never[]) => Error, Record<string, unknown>]>([
    [
      'COV above 4.25 V',
      { ...initial, covV: 4.3 },
      TeslaProtocolError,
      { configPath: 'hardwareThresholds.covV' },
    ],
    ['CUV not below COV', { ...initial, cuvV: 4.2 }, TeslaProtocolError, { code: 'INVALID_CONFIG' }],
    [
      'a missing delay',
      { covV: 4.25, cuvV: 3.5, otC: 70 },
      TeslaProtocolError,
      { configPath: 'hardwareThresholds.covDelayMs' },
    ],
    ['a number', 4.25, InvalidArgumentError, { argument: 'thresholds' }],
    ['undefined', undefined, InvalidArgumentError, { argument: 'thresholds' }],
  ])('rejects %s synchronously and changes nothing', async (_, thresholds, errorClass, details) => {
    const h = await running();
    const writes = h.covWrites();
    let thrown: unknown;
    try {
      h.loop.setHardwareThresholds(thresholds as never);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(errorClass);
    expect(thrown).toMatchObject(details);
    await h.advanceS(3);
    expect(h.covWrites()).toBe(writes);
    expect(h.covRegisters()).toEqual([INITIAL_COV, INITIAL_COV, INITIAL_COV]);
    await h.finish();
  });

  it('rejects invalid thresholds in the constructor the same way', () => {
    expect(() => setUp({ ...initial, covV: 4.3 })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', configPath: 'hardwareThresholds.covV' }),
    );
  });

  it('before the first set-up, replaces what that set-up writes', async () => {
    const h = setUp();
    h.loop.setHardwareThresholds(raised);
    h.loop.start();
    await h.advanceS(3);
    expect(h.covRegisters()).toEqual([RAISED_COV, RAISED_COV, RAISED_COV]);
    expect(h.logLines('setup').map((l) => l.message)).toEqual([
      'setup of module(s) 1, 2, 3: latched bits cleared, hardware COV 4.25 V / CUV 3.50 V / OT 70 °C written and verified',
    ]);
    expect(h.logLines('thresholds')).toEqual([]);
    await h.finish();
  });

  it('null stops programming: nothing is written, and a later reset only clears latched bits', async () => {
    const h = await running();
    const writes = h.covWrites();
    const allWrites = h.writesButConvert();
    h.loop.setHardwareThresholds(null);
    await h.advanceS(1);
    expect(h.writesButConvert()).toBe(allWrites);
    expect(h.logLines('thresholds').map((l) => l.message)).toEqual([
      'hardware thresholds no longer programmed: the boards keep theirs, a reset only clears latched bits',
    ]);
    h.modules[1].registers[Register.FAULT_STATUS] |= FaultStatus.POR;
    await h.advanceS(RETRY_MS / 1000 + 1);
    expect(h.logLines('setup').at(-1)?.message).toBe(
      'setup of module(s) 2: latched bits cleared (hardware thresholds left as they are)',
    );
    expect(h.modules[1].registers[Register.FAULT_STATUS] & FaultStatus.POR).toBe(0);
    expect(h.covWrites()).toBe(writes);
    expect(h.covRegisters()).toEqual([INITIAL_COV, INITIAL_COV, INITIAL_COV]);
    await h.finish();
  });

  it('does nothing once the loop is stopping', async () => {
    const h = await running();
    const writes = h.covWrites();
    const stopped = h.finish();
    h.loop.setHardwareThresholds(raised);
    h.loop.setHardwareThresholds({ ...initial, covV: 9 }); // not even checked
    await stopped;
    expect(h.covWrites()).toBe(writes);
    expect(h.logLines('thresholds')).toEqual([]);
  });
});
