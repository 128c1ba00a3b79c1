import { ManualClock } from '@tsbms/hal';
import { TeslaBus } from './bus';
import {
  cbTimeForPollInterval,
  decodeCbTimeS,
  encodeCbTime,
  encodeHardwareThresholds,
  hardwareThresholdsFromFaultLevels,
  ModuleCommands,
  type HardwareThresholds,
} from './commands';
import { TeslaProtocolError } from './errors';
import { decodeRequest, encodeFrame, writeRequest } from './frames';
import { isProtectedRegister, Register, TESLA_FACTORY_CONFIG } from './registers';
import { createFakeModuleLoop, type LoopTamper } from './testing/fake-module-loop';

const tsbmsDefaults = hardwareThresholdsFromFaultLevels({
  cellOverVoltageFaultV: 4.15,
  cellUnderVoltageFaultV: 3.55,
  overTemperatureFaultC: 65,
});

function setup(count: number, tamper?: LoopTamper) {
  const clock = new ManualClock();
  const loop = createFakeModuleLoop(clock, count, { tamper });
  const bus = new TeslaBus(loop.link, { clock });
  const commands = new ModuleCommands(bus);
  const run = async <T>(promise: Promise<T>): Promise<T> => {
    let done = false;
    const settled = promise.finally(() => (done = true));
    settled.catch(() => undefined);
    for (let i = 0; i < 1000 && !done; i++) await clock.advanceByMs(1);
    return settled;
  };
  const wire = () => loop.link.writes.map((w) => Array.from(w));
  return { ...loop, bus, commands, run, wire };
}

const write = (address: number, register: number, value: number) =>
  Array.from(encodeFrame(writeRequest(address, register, value)));

describe('hardware thresholds (T-18)', () => {
  it('derives and encodes the tsBMS defaults: COV 4.20 V, CUV 3.50 V, 1 s delays, OT 70 °C both, 2.55 s', () => {
    expect(encodeHardwareThresholds(tsbmsDefaults)).toEqual([0x2c, 0x8a, 0x1c, 0x8a, 0x77, 0xff]);
  });

  it('rejects a configuration giving COV above 4.25 V, with the config path', () => {
    expect(encodeHardwareThresholds({ ...tsbmsDefaults, covV: 4.25 })[0]).toBe(0x2d);
    expect(() => encodeHardwareThresholds({ ...tsbmsDefaults, covV: 4.26 }, 'bms.hardware')).toThrow(
      expect.objectContaining({
        code: 'INVALID_CONFIG',
        configPath: 'bms.hardware.covV',
      }),
    );
    expect(() => encodeHardwareThresholds({ ...tsbmsDefaults, cuvV: 0.5 })).toThrow(
      expect.objectContaining({ configPath: 'hardwareThresholds.cuvV' }),
    );
    expect(() => encodeHardwareThresholds({ ...tsbmsDefaults, covV: 3.0, cuvV: 3.5 })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
  });
});

describe('CB_TIME (T-23)', () => {
  it.each([
    [0.1, 2],
    [0.5, 2],
    [0.75, 3],
    [1, 4],
    [5, 20],
    [15.75, 63],
    [60, 63],
  ])('poll interval %f s -> %i s, units bit clear', (pollS, seconds) => {
    const byte = cbTimeForPollInterval(pollS);
    expect(byte).toBe(seconds);
    expect(byte & 0x80).toBe(0);
    expect(decodeCbTimeS(byte)).toBe(seconds);
  });

  it('encodes minutes with b7 set and refuses what does not fit', () => {
    expect(encodeCbTime({ minutes: 10 })).toBe(0x8a);
    expect(decodeCbTimeS(0x8a)).toBe(600);
    expect(() => encodeCbTime({ seconds: 64 })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    expect(() => cbTimeForPollInterval(0)).toThrow(expect.objectContaining({ configPath: 'pollIntervalS' }));
  });
});

describe('ModuleCommands', () => {
  it('sets up the pack (T-17): clear latched bits, protected threshold writes, read-back, broadcasts', async () => {
    const { commands, run, wire, modules } = setup(1);
    // After reset: ALERT = AR (0x80), FAULT = POR (0x08). FORCE set too, to prove it is never written.
    modules[0].registers[Register.FAULT_STATUS] = 0x08 | 0x10;
    await run(commands.setupPack([1], tsbmsDefaults, 8));
    const unlock = write(1, 0x3a, 0x35);
    expect(wire()).toEqual([
      [0x02, 0x20, 0x04, expect.any(Number)],
      write(1, 0x20, 0x80),
      write(1, 0x20, 0x00),
      write(1, 0x21, 0x08),
      write(1, 0x21, 0x00),
      unlock,
      write(1, 0x42, 0x2c),
      unlock,
      write(1, 0x43, 0x8a),
      unlock,
      write(1, 0x44, 0x1c),
      unlock,
      write(1, 0x45, 0x8a),
      unlock,
      write(1, 0x46, 0x77),
      unlock,
      write(1, 0x47, 0xff),
      [0x02, 0x40, 0x08, expect.any(Number)],
      [0x7f, 0x30, 0x3d, 0x6a],
      [0x7f, 0x31, 0x03, 0xc5],
      write(0x3f, 0x33, 8),
      [0x7f, 0x32, 0x00, 0xf3],
    ]);
    const m = modules[0];
    expect(Array.from(m.registers.subarray(0x40, 0x48))).toEqual([
      ...TESLA_FACTORY_CONFIG.slice(0, 2),
      0x2c,
      0x8a,
      0x1c,
      0x8a,
      0x77,
      0xff,
    ]);
    expect(m.unlockViolations).toBe(0);
    expect(m.registers[Register.ADC_CONTROL]).toBe(0x3d);
    expect(m.registers[Register.IO_CONTROL]).toBe(0x03);
    expect(m.registers[Register.ALERT_STATUS]).toBe(0);
  });

  it('writes nothing at all for an invalid configuration', async () => {
    const { commands, run, link } = setup(2);
    await expect(run(commands.setupPack([1, 2], { ...tsbmsDefaults, covV: 4.3 }, 8))).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
    });
    expect(link.writes).toHaveLength(0);
  });

  it('fails with VERIFY_FAILED when the read-back differs', async () => {
    const { commands, run, modules } = setup(1);
    const accept = modules[0].write.bind(modules[0]);
    modules[0].write = (request) => (request.register === Register.CONFIG_UV ? undefined : accept(request));
    await expect(run(commands.writeHardwareThresholds(1, tsbmsDefaults))).rejects.toMatchObject({
      code: 'VERIFY_FAILED',
      address: 1,
      register: Register.CONFIG_UV,
    });
  });

  describe('a protected register left unanswered (issue 16)', () => {
    /** Module 2's requests for 0x40..0x4F, read (`read`) or written (`write`) or both. */
    const protectedAtModule2 = (written: Uint8Array, kinds: readonly string[]): boolean => {
      const request = decodeRequest(written);
      return (
        request.ok &&
        request.frame.address === 2 &&
        isProtectedRegister(request.frame.register) &&
        kinds.includes(request.frame.kind === 'readRequest' ? 'read' : 'write')
      );
    };
    const both = ['read', 'write'];

    it.each<[string, LoopTamper, number]>([
      [
        'silence',
        (written, reply) => (protectedAtModule2(written, both) ? null : reply),
        Register.CONFIG_COV,
      ],
      [
        // A write echo cannot tell (§2): the read-back finds it.
        'the request back unchanged',
        (written, reply) => (protectedAtModule2(written, both) ? Array.from(written) : reply),
        Register.FUNCTION_CONFIG,
      ],
      [
        'silence for the read-back only',
        (written, reply) => (protectedAtModule2(written, ['read']) ? null : reply),
        Register.FUNCTION_CONFIG,
      ],
    ])(
      '%s from a module that still answers: PROTECTED_REGISTERS_UNANSWERED, the cause kept',
      async (_, tamper, register) => {
        const { commands, run, link } = setup(3, tamper);
        const error = await run(commands.setupModule(2, tsbmsDefaults)).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(TeslaProtocolError);
        expect(error).toMatchObject({ code: 'PROTECTED_REGISTERS_UNANSWERED', address: 2, register });
        const name = register === Register.CONFIG_COV ? 'CONFIG_COV' : 'FUNCTION_CONFIG';
        expect((error as Error).message).toBe(
          `module 2 answers but not its protected configuration registers (${name}…), so the hardware ` +
            'thresholds cannot be programmed; boards without them can run with the hardware thresholds ' +
            `off (software limits only) (address 2, register ${name})`,
        );
        expect((error as Error).cause).toMatchObject({ address: 2, register });
        // The write (or the read-back after six echoed writes) was tried three times (T-6),
        // then DEVICE_STATUS once.
        const unanswered = link.writes.filter((w) => protectedAtModule2(w, both));
        expect(unanswered).toHaveLength(register === Register.CONFIG_COV ? 3 : 6 + 3);
        expect(Array.from(link.writes.at(-1) ?? [])).toEqual([0x04, 0x00, 0x01, expect.any(Number)]);
      },
    );

    it.each<[string, string, LoopTamper]>([
      ['a loop silent for everything from then on', 'TIMEOUT', () => null],
      [
        // Reads still answered: only the unlock's own silence tells this from a board without them.
        'every write lost, the unlock too',
        'TIMEOUT',
        (written, reply) => (written[0] === ((2 << 1) | 1) ? null : reply),
      ],
      [
        'a CRC error on the read-back',
        'CRC',
        (written, reply) =>
          protectedAtModule2(written, ['read']) && reply
            ? [...reply.slice(0, -1), reply[reply.length - 1] ^ 1]
            : reply,
      ],
    ])('%s stays what it is: %s', async (_, code, tamper) => {
      let armed = false;
      const { commands, run } = setup(3, (written, reply) => (armed ? tamper(written, reply) : reply));
      await run(commands.clearLatchedStatus(2));
      armed = true;
      await expect(run(commands.writeHardwareThresholds(2, tsbmsDefaults))).rejects.toMatchObject({
        code,
        address: 2,
      });
    });
  });

  it('reads the status registers and clears only bits that are set', async () => {
    const { commands, run, modules, wire } = setup(1);
    modules[0].registers.set([0x00, 0x01, 0x01, 0x00], 0x20);
    const status = await run(commands.clearLatchedStatus(1));
    expect(status).toEqual({
      alertStatus: 0,
      faultStatus: 1,
      covFault: 1,
      cuvFault: 0,
    });
    expect(wire().slice(1)).toEqual([write(1, 0x21, 0x01), write(1, 0x21, 0x00)]);
  });

  it('writes balance masks per module and stops balancing by broadcast', async () => {
    const { commands, run, modules, wire } = setup(2);
    await run(commands.setBalanceMask(2, 0b100001));
    expect(modules[1].registers[Register.CB_CTRL]).toBe(0b100001);
    await expect(commands.setBalanceMask(1, 0x40)).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
    await run(commands.stopBalancing());
    expect(modules.map((m) => m.registers[Register.CB_CTRL])).toEqual([0, 0]);
    expect(wire()).toEqual([write(2, 0x32, 0x21), [0x7f, 0x32, 0x00, 0xf3]]);
  });

  it('sleeps (IO_CONTROL 0x04, clear ALERT[SLEEP]) and wakes into full setup (T-28)', async () => {
    const { commands, run, modules, wire } = setup(2);
    await run(commands.sleep([1, 2]));
    expect(wire()).toEqual([
      write(0x3f, 0x31, 0x04),
      write(1, 0x20, 0x04),
      write(1, 0x20, 0),
      write(2, 0x20, 0x04),
      write(2, 0x20, 0),
    ]);
    expect(modules.map((m) => m.registers[Register.IO_CONTROL])).toEqual([0x04, 0x04]);
    const thresholds: HardwareThresholds = tsbmsDefaults;
    await run(commands.wake([1, 2], thresholds, 8));
    expect(modules.map((m) => m.registers[Register.IO_CONTROL])).toEqual([0x03, 0x03]);
    expect(modules.map((m) => m.registers[Register.CONFIG_OT])).toEqual([0x77, 0x77]);
    expect(wire()[5]).toEqual(write(0x3f, 0x31, 0x03));
  });
});
