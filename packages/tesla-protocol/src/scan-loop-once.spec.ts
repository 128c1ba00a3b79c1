import { ManualClock } from '@tsbms/hal';
import { RecordingLogger } from '@tsbms/hal/testing';
import { hardwareThresholdsFromFaultLevels } from './commands';
import { decodeRequest } from './frames';
import { Register } from './registers';
import { TeslaScanLoop } from './scan-loop';
import { createFakeModuleLoop, type LoopTamper } from './testing/fake-module-loop';

/*
 * TeslaScanLoop.scanOnce (`--once`) on the minimal module loop: one discovery, the conversion
 * broadcasts and one scan, and nothing else written.
 */

const MODULES = 2;
const thresholds = hardwareThresholdsFromFaultLevels({
  cellOverVoltageFaultV: 4.15,
  cellUnderVoltageFaultV: 3.55,
  overTemperatureFaultC: 65,
});

function setUp(tamper?: LoopTamper, modulesOnLoop = MODULES) {
  const clock = new ManualClock();
  const chain = createFakeModuleLoop(clock, modulesOnLoop, { tamper });
  const logger = new RecordingLogger();
  const loop = new TeslaScanLoop({
    link: chain.link,
    clock,
    logger,
    moduleCount: MODULES,
    pollIntervalS: 0.5,
    hardwareThresholds: thresholds,
    readWithCrc: true,
    replyTimeoutMs: 100,
  });
  const readings: { modules: readonly { commsOk: boolean; hardwareFlags: readonly string[] }[] }[] = [];
  loop.readings$.subscribe(({ reading }) => readings.push(reading));
  /** Every write request sent so far, as `address:REGISTER=value`. */
  const writes = () =>
    chain.link.writes.flatMap((frame) => {
      const request = decodeRequest(frame);
      if (!request.ok || request.frame.kind !== 'writeRequest') return [];
      const { address, register, value } = request.frame;
      const name = Object.entries(Register).find(([, r]) => r === register)?.[0];
      return [`${address}:${name}=0x${value.toString(16)}`];
    });
  const settle = async <T>(promise: Promise<T>): Promise<T> => {
    let settled = false;
    const watched = promise.finally(() => (settled = true));
    while (!settled) await clock.advanceByMs(1);
    return watched;
  };
  return { chain, loop, logger, readings, writes, settle };
}

describe('TeslaScanLoop.scanOnce (--once)', () => {
  it('writes only the conversion broadcasts and the convert: no thresholds, no latched-bit clearing', async () => {
    const h = setUp();

    expect(await h.settle(h.loop.scanOnce())).toEqual({ ok: true });

    expect(h.writes()).toEqual(['63:ADC_CONTROL=0x3d', '63:IO_CONTROL=0x3', '63:ADC_CONVERT=0x1']);
    expect(h.readings.at(-1)?.modules.map((m) => [m.commsOk, m.hardwareFlags])).toEqual([
      // The power-on bits the boards latched stay there for the reading to show.
      [true, ['POR', 'AR']],
      [true, ['POR', 'AR']],
    ]);
    expect(h.chain.modules.map((m) => m.registers[Register.CONFIG_COV])).toEqual([0x31, 0x31]);
    expect(h.logger.lines.filter((l) => l.fields.event === 'setup').map((l) => l.message)).toEqual([
      'setup of module(s) 1, 2 for one reading: conversions enabled (ADC_CONTROL, IO_CONTROL); ' +
        'no hardware thresholds written, no latched bits cleared',
    ]);
    await h.settle(h.loop.stop());
  });

  it('says why when the conversion broadcasts fail, with the error the log names', async () => {
    const h = setUp((written, reply) =>
      written[0] === 0x7f && written[1] === Register.ADC_CONTROL ? null : reply,
    );

    const outcome = await h.settle(h.loop.scanOnce());

    const why = 'no reply (loop silent) after 3 attempt(s) (address 63, register ADC_CONTROL)';
    expect(outcome).toEqual({ ok: false, reason: `module setup failed: ${why}` });
    expect(h.logger.lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      `module setup failed: ${why}`,
    ]);
    expect(h.loop.setUpFailure).toMatchObject({ code: 'TIMEOUT', register: Register.ADC_CONTROL });
    expect(h.writes()).not.toContain('63:ADC_CONVERT=0x1');
    await h.settle(h.loop.stop());
  });

  it('says how many modules discovery found when it finds too few', async () => {
    const h = setUp(undefined, 1);
    expect(await h.settle(h.loop.scanOnce())).toEqual({
      ok: false,
      reason: 'discovery found 1 of 2 configured modules',
    });
    expect(h.writes().filter((w) => !w.includes('RESET') && !w.includes('ADDRESS_CONTROL'))).toEqual([]);
    await h.settle(h.loop.stop());
  });
});
