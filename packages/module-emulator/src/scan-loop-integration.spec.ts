import { ManualClock } from '@tsbms/hal';
import { RecordingLogger } from '@tsbms/hal/testing';
import {
  ModuleCommands,
  Register,
  TESLA_FACTORY_CONFIG,
  TeslaBus,
  TeslaProtocolError,
  TeslaScanLoop,
  cbTimeForPollInterval,
  discoverModules,
  hardwareThresholdsFromFaultLevels,
  type HardwareThresholds,
  type TeslaScanLoopOptions,
} from '@tsbms/tesla-protocol';
import { EmulatedChain } from './emulated-chain';
import { drive } from './spec-support/drive';

/*
 * The protocol library's set-up and `--once` over the emulated chain, with and without a board
 * that lacks the registers above 0x3C (issue 16).
 */

const MODULES = 3;
const CELL_V = 3.8;
const ADC_STEP_V = 6.25 / 16383;
/** COV 4.20 V (0x2C), CUV 3.50 V, OT 70 °C: the controller's defaults (T-18). */
const thresholds = hardwareThresholdsFromFaultLevels({
  cellOverVoltageFaultV: 4.15,
  cellUnderVoltageFaultV: 3.55,
  overTemperatureFaultC: 65,
});
const POWER_ON_COV = TESLA_FACTORY_CONFIG[Register.CONFIG_COV - Register.FUNCTION_CONFIG];
const NO_PROTECTED_REGISTERS_ON_2 = { kind: 'noProtectedRegisters', module: 2 } as const;
const UNANSWERED_MESSAGE =
  'module 2 answers but not its protected configuration registers (CONFIG_COV…), so the hardware ' +
  'thresholds cannot be programmed; boards without them can run with the hardware thresholds off ' +
  '(software limits only) (address 2, register CONFIG_COV)';

interface ReadingSeen {
  readonly modules: readonly {
    readonly address: number;
    readonly commsOk: boolean;
    readonly cellVoltagesV: readonly (number | null)[];
    readonly hardwareFlags: readonly string[];
  }[];
}

function chainWith(fault?: object) {
  const clock = new ManualClock();
  const chain = new EmulatedChain({ clock, modules: MODULES, seed: 9, cellVoltagesV: [CELL_V] });
  if (fault) chain.startFault(fault);
  const module = (position: number) => chain.snapshot().modules[position - 1];
  return { clock, chain, module, run: <T>(p: Promise<T>) => drive(clock, p) };
}

function loopOn(
  fault: object | undefined,
  hardwareThresholds: HardwareThresholds | null,
  extra: Pick<TeslaScanLoopOptions, 'setUpAdvice'> = {},
) {
  const c = chainWith(fault);
  const logger = new RecordingLogger();
  const loop = new TeslaScanLoop({
    link: c.chain.link,
    clock: c.clock,
    logger,
    moduleCount: MODULES,
    pollIntervalS: 0.5,
    hardwareThresholds,
    readWithCrc: true,
    replyTimeoutMs: 100,
    ...extra,
  });
  const readings: ReadingSeen[] = [];
  loop.readings$.subscribe(({ reading }) => readings.push(reading));
  return {
    ...c,
    loop,
    readings,
    logLines: (event: string) => logger.lines.filter((l) => l.fields.event === event),
    advanceS: async (seconds: number) => {
      for (let i = 0; i < seconds * 10; i++) await c.clock.advanceByMs(100);
    },
  };
}

/** Every module answered with six cells at the emulated voltage. */
function expectEveryModuleRead(reading: ReadingSeen | undefined): void {
  expect(reading?.modules.map((m) => m.address)).toEqual([1, 2, 3]);
  for (const m of reading?.modules ?? []) {
    expect(m.commsOk).toBe(true);
    expect(m.cellVoltagesV).toHaveLength(6);
    m.cellVoltagesV.forEach((v) =>
      expect(Math.abs((v ?? Infinity) - CELL_V)).toBeLessThanOrEqual(ADC_STEP_V),
    );
  }
}

describe('TeslaScanLoop.scanOnce (--once) on the emulated chain', () => {
  it.each([
    ['every board complete', undefined],
    ['module 2 without the protected registers', NO_PROTECTED_REGISTERS_ON_2],
  ])('%s: reads every module and leaves thresholds and latched bits as they were', async (_, fault) => {
    const h = loopOn(fault, thresholds);

    expect(await h.run(h.loop.scanOnce())).toEqual({ ok: true });

    expect(h.readings).toHaveLength(1);
    expectEveryModuleRead(h.readings[0]);
    // The power-on bits the boards latched are reported, not cleared.
    h.readings[0].modules.forEach((m) => expect(m.hardwareFlags).toEqual(expect.arrayContaining(['POR'])));
    const modules = h.chain.snapshot().modules;
    expect(modules.map((m) => m.registers[Register.CONFIG_COV])).toEqual([
      POWER_ON_COV,
      POWER_ON_COV,
      POWER_ON_COV,
    ]);
    expect(modules.map((m) => m.registers.slice(Register.FUNCTION_CONFIG, 0x48))).toEqual(
      modules.map(() => [...TESLA_FACTORY_CONFIG]),
    );
    expect(modules.map((m) => m.counters.protectedWritesRejected + m.unimplementedRequests)).toEqual([
      0, 0, 0,
    ]);
    await h.run(h.loop.stop());
  });
});

describe('a board without the protected registers (issue 16)', () => {
  it('ModuleCommands.setupPack fails with PROTECTED_REGISTERS_UNANSWERED at address 2, CONFIG_COV, in bounded time', async () => {
    const c = chainWith(NO_PROTECTED_REGISTERS_ON_2);
    const bus = new TeslaBus(c.chain.link, { clock: c.clock });
    await c.run(discoverModules(bus, { clock: c.clock, expectedCount: MODULES }));
    const startedMs = c.clock.now();

    const error = await c
      .run(new ModuleCommands(bus).setupPack([1, 2, 3], thresholds, cbTimeForPollInterval(0.5)))
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TeslaProtocolError);
    expect(error).toMatchObject({
      code: 'PROTECTED_REGISTERS_UNANSWERED',
      address: 2,
      register: Register.CONFIG_COV,
    });
    expect((error as Error).message).toBe(UNANSWERED_MESSAGE);
    // Three attempts of the first threshold write (T-6), then a DEVICE_STATUS probe: well under a second.
    expect(c.module(2).unimplementedRequests).toBe(3);
    expect(c.clock.now() - startedMs).toBeLessThan(1000);
    // Module 1 was set up before; module 3 was not reached.
    expect([1, 2, 3].map((m) => c.module(m).registers[Register.CONFIG_COV])).toEqual([
      0x2c,
      POWER_ON_COV,
      POWER_ON_COV,
    ]);
  });

  it('the scan loop with thresholds: set-up fails with that message, warned once, three requests per retry', async () => {
    const h = loopOn(NO_PROTECTED_REGISTERS_ON_2, thresholds);
    h.loop.start();
    await h.advanceS(12);

    expect(h.logLines('setup').map((l) => [l.level, l.message])).toEqual([
      ['warn', `module setup failed: ${UNANSWERED_MESSAGE}`],
    ]);
    expect(h.logLines('setup')[0].fields.code).toBe('PROTECTED_REGISTERS_UNANSWERED');
    expect(h.loop.setUpFailure).toMatchObject({ code: 'PROTECTED_REGISTERS_UNANSWERED', address: 2 });
    // Set-up is retried every 5 s (T-16), each time with three attempts at the one register.
    expect(h.module(2).unimplementedRequests).toBe(9);
    expect(h.readings).toEqual([]); // no scan before a set-up succeeded
    await h.run(h.loop.stop());
  });

  it('the warning carries the application’s advice for that code, and only for it', async () => {
    const h = loopOn(NO_PROTECTED_REGISTERS_ON_2, thresholds, {
      setUpAdvice: (error) =>
        error.code === 'PROTECTED_REGISTERS_UNANSWERED' ? 'set hardwareProtection: false' : null,
    });
    h.loop.start();
    await h.advanceS(1);
    expect(h.logLines('setup').map((l) => l.message)).toEqual([
      `module setup failed: ${UNANSWERED_MESSAGE}; set hardwareProtection: false`,
    ]);
    await h.run(h.loop.stop());
  });

  it('the scan loop with the hardware thresholds off: set up, every module scanned, nothing above 0x3C asked', async () => {
    const h = loopOn(NO_PROTECTED_REGISTERS_ON_2, null);
    h.loop.start();
    await h.advanceS(3);

    expect(h.logLines('setup').map((l) => [l.level, l.message])).toEqual([
      ['info', 'setup of module(s) 1, 2, 3: latched bits cleared (hardware thresholds left as they are)'],
    ]);
    expect(h.loop.setUpFailure).toBeNull();
    expect(h.readings.length).toBeGreaterThanOrEqual(5);
    expectEveryModuleRead(h.readings.at(-1));
    expect(h.module(2).unimplementedRequests).toBe(0);
    expect(h.module(2).counters.crcErrors).toBe(0);
    await h.run(h.loop.stop());
  });
});
