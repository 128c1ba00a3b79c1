import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { interval } from 'rxjs';
import { ManualClock, type ByteLink, type CanBus } from '@tsbms/hal';
import { MemoryCanBus } from '@tsbms/hal/testing';
import { FakeGpioChips } from '@tsbms/hal-linux/testing';
import { EmulatedChain, rateMismatchedLink, type FaultSpec } from '@tsbms/module-emulator';
import { discoverModules, TeslaBus } from '@tsbms/tesla-protocol';
import { ALL_GOOD, doctorReportSchema, type DoctorReport, type Finding } from '@tsbms/commissioning';
import { scoped, type Scope } from '@tsbms/test-support';
import { runScript, startEmulator, startPty } from '../e2e/process-harness';
import { runDoctor, type DoctorDependencies, type DoctorIo } from './doctor-command';

/*
 * Issue 16, `npm run doctor`: the command in process against an emulated module loop in virtual
 * time (the emulator's faults injected), and once as the real CLI over a socat pty against the
 * emulator app. Every JSON report is checked against the published schema.
 */

const MODULES = 4;
const CELLS_V = [3.9, 3.91, 3.9, 3.92, 3.9, 3.91];

/** A writable that keeps what is written (and may pose as a terminal). */
class Capture {
  text = '';
  constructor(readonly isTTY = false) {}
  write(chunk: string | Uint8Array): boolean {
    this.text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  }
}

/** Awaits `promise` while virtual time moves on in `stepMs` steps, as real time would. */
async function drive<T>(clock: ManualClock, promise: Promise<T>, stepMs = 10, limitMs = 600_000): Promise<T> {
  let settled = false;
  const watched = promise.finally(() => (settled = true));
  watched.catch(() => undefined);
  for (let waited = 0; !settled; waited += stepMs) {
    if (waited > limitMs) throw new Error(`not settled within ${limitMs} ms of virtual time`);
    await clock.advanceByMs(stepMs);
  }
  return watched;
}

interface Loop {
  readonly clock: ManualClock;
  readonly chain: EmulatedChain;
}

/** An emulated pack; `addressed` as the controller leaves it (numbered 1..N, nothing else set up). */
async function emulatedPack(
  options: { modules?: number; addressed?: boolean; seed?: number } = {},
): Promise<Loop> {
  const clock = new ManualClock(Date.UTC(2026, 11, 6, 6, 30));
  const modules = options.modules ?? MODULES;
  const chain = new EmulatedChain({
    clock,
    modules,
    seed: options.seed ?? 7,
    cellVoltagesV: CELLS_V,
    temperaturesC: [24, 26],
  });
  if (options.addressed ?? true) {
    const bus = new TeslaBus(chain.link, { clock });
    const found = await drive(clock, discoverModules(bus, { clock, expectedCount: modules }));
    expect(found.addresses).toHaveLength(modules);
    bus.dispose();
  }
  return { clock, chain };
}

/** The emulated link as the doctor sees it: its close() leaves the chain's link open for the next run. */
function keptOpen(link: ByteLink): ByteLink {
  return {
    data$: link.data$,
    events$: link.events$,
    get isOpen() {
      return link.isOpen;
    },
    write: (bytes) => link.write(bytes),
    close: async () => undefined,
  };
}

interface DoctorRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function doctor(
  { clock, chain }: Loop,
  args: readonly string[],
  options: {
    tty?: boolean;
    dependencies?: DoctorDependencies;
    io?: Pick<DoctorIo, 'ask' | 'signal'>;
  } = {},
): Promise<DoctorRun> {
  const stdout = new Capture(options.tty);
  const stderr = new Capture(options.tty);
  const code = await drive(
    clock,
    runDoctor(
      ['--serial', '/dev/emulated', '--modules', String(MODULES), ...args],
      { stdout, stderr, env: {}, ...options.io },
      {
        clock,
        openLink: async () => keptOpen(chain.link),
        ...options.dependencies,
      },
    ),
  );
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** The --json report, validated against the schema. */
async function doctorJson(loop: Loop, args: readonly string[] = [], dependencies?: DoctorDependencies) {
  const run = await doctor(loop, ['--json', ...args], { dependencies });
  expect(run.stderr).toBe('');
  const report = doctorReportSchema.parse(JSON.parse(run.stdout));
  expect(run.code).toBe(report.exitCode);
  return report;
}

const problems = (report: DoctorReport): Finding[] => report.findings.filter((f) => f.severity !== 'ok');
const about = (report: DoctorReport, id: string) => report.findings.filter((f) => f.id === id);

function withFaults(loop: Loop, ...faults: FaultSpec[]): Loop {
  for (const fault of faults) loop.chain.startFault(fault);
  return loop;
}

describe('npm run doctor against an emulated pack (in process, virtual time)', () => {
  it('(a) a healthy pack: exit 0, "all good", every module ok, and nothing written but the reading broadcasts', async () => {
    const loop = await emulatedPack();
    const before = loop.chain.snapshot().modules.map((m) => m.registers);
    const report = await doctorJson(loop);
    expect(report.summary).toBe(ALL_GOOD);
    expect(report.exitCode).toBe(0);
    expect(report.modules.map((m) => [m.address, m.status, m.readings])).toEqual([
      [1, 'ok', 20],
      [2, 'ok', 20],
      [3, 'ok', 20],
      [4, 'ok', 20],
    ]);
    expect(about(report, 'module-ok').map((f) => f.module)).toEqual([1, 2, 3, 4]);
    expect(report.pack).toEqual({
      expectedModules: 4,
      answering: [1, 2, 3, 4],
      renumbered: false,
      scansRequested: 20,
      scansCompleted: 20,
    });
    expect(report.modules[0].cellsV).toEqual(CELLS_V.map((v) => expect.closeTo(v, 3)));
    // Every rate tried is clean (the emulated link has no UART) and the loop echoes address 5.
    expect(report.serial).toMatchObject({ baudRate: 612500, checkedAtBaud: 612500, framingErrors: null });
    expect(report.serial.rates.map((r) => [r.baudRate, r.quality, r.clean])).toEqual(
      [612500, 617647, 615385, 631000, 625000, 600000].map((rate) => [rate, 'clean', 6]),
    );
    expect(about(report, 'serial-opened')[0].detail).toContain('came back unchanged: the loop is closed');
    // T-29: only ADC_CONTROL (0x30) and IO_CONTROL (0x31) changed; thresholds, addresses, latched
    // status bits (0x20, 0x21) and balancing stay as they were.
    loop.chain.snapshot().modules.forEach((m, i) => {
      const changed = m.registers.flatMap((value, register) =>
        value !== before[i][register] && register > 0x12 ? [register] : [],
      );
      expect(changed).toEqual([0x30, 0x31]);
      expect(m.counters.eEnWrites + m.counters.testSelectWrites).toBe(0);
    });
  });

  it('(a) on a terminal: progress on stderr, then the heat map and the findings on stdout', async () => {
    const run = await doctor(await emulatedPack(), ['--scans', '5'], { tty: true });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('doctor: line at 612500 baud: clean\ndoctor: line at 617647 baud: clean\n');
    expect(run.stderr).toContain('doctor: discovery: 4 of 4 modules answer\n');
    expect(run.stderr).toContain('\rdoctor: scan 5/5\n');
    expect(run.stderr).toContain('doctor: protected registers: 4 of 4 modules answer\n');
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('tsbms doctor: /dev/emulated at 612500 baud, 4 modules expected');
    // Two reads per module and scan: the boards still report their power-on reset (POR), so each
    // scan also reads their status registers (T-20); the doctor clears nothing.
    expect(lines).toContain('module 1 │·····│ 0/10 failed');
    expect(lines).toContain('module 4 │·····│ 0/10 failed');
    expect(lines[lines.length - 1]).toBe('✓ all good');
  });

  it('(a) an adapter that makes 576000 baud of the 612500 asked: the rate that works is named, the checks run at it', async () => {
    const loop = await emulatedPack();
    // The boards run at 612500 (T-1); this adapter rounds only that rate badly (6 % slow).
    const adapterBaud = (asked: number) => (asked === 612500 ? 576000 : asked);
    const opened: number[] = [];
    const report = await doctorJson(loop, [], {
      openLink: async (config) => {
        opened.push(config.serial.baudRate);
        return rateMismatchedLink(keptOpen(loop.chain.link), {
          portBaud: adapterBaud(config.serial.baudRate),
          boardBaud: 612500,
        });
      },
    });
    // Garbled, and again when tried a second time after the others; every other rate clean.
    expect(report.serial.rates.map((r) => [r.baudRate, r.quality])).toEqual([
      [612500, 'garbled'],
      ...[617647, 615385, 631000, 625000, 600000].map((rate) => [rate, 'clean']),
      [612500, 'garbled'],
    ]);
    expect(report.serial.rates[0]).toMatchObject({ clean: 0, framingErrors: expect.any(Number) });
    expect(report.serial).toMatchObject({ checkedAtBaud: 617647, framingErrors: 0 });
    // Each rate opened for its probe, 612500 once more, then 617647 for the checks.
    expect(opened).toEqual([612500, 617647, 615385, 631000, 625000, 600000, 612500, 617647]);
    expect(problems(report).map((f) => f.id)).toEqual(['baud-rate-mismatch']);
    expect(problems(report)[0]).toMatchObject({
      title: 'the boards answer at 617647 baud, not at the 612500 asked',
      fix: 'Set serial.baudRate: 617647 in the config (or start with --baud 617647).',
    });
    expect(report.modules.map((m) => [m.address, m.readings])).toEqual([
      [1, 20],
      [2, 20],
      [3, 20],
      [4, 20],
    ]);
  });

  it('(a) the rate asked garbled only at its first probe: tried again at the end, kept, no problem', async () => {
    const loop = await emulatedPack();
    let opens = 0;
    const report = await doctorJson(loop, [], {
      // The first opening behaves as a 6 % slow adapter would; every later one is right.
      openLink: async () =>
        rateMismatchedLink(keptOpen(loop.chain.link), {
          portBaud: opens++ === 0 ? 576000 : 612500,
          boardBaud: 612500,
        }),
    });
    expect(report.serial.rates.map((r) => [r.baudRate, r.quality])).toEqual([
      [612500, 'garbled'],
      ...[617647, 615385, 631000, 625000, 600000].map((rate) => [rate, 'clean']),
      [612500, 'clean'],
    ]);
    expect(report.serial.checkedAtBaud).toBe(612500);
    expect(report.summary).toBe(ALL_GOOD);
  });

  it("(b) bit flips in module 2's replies and an open thermistor 2 on module 3: both named with their module, exit 1", async () => {
    const loop = withFaults(
      await emulatedPack(),
      { kind: 'corruptReplies', module: 2, probability: 0.02 },
      { kind: 'openThermistor', module: 3, thermistor: 2 },
    );
    const report = await doctorJson(loop);
    expect(report.exitCode).toBe(1);
    expect(problems(report).map((f) => [f.id, f.module])).toEqual([
      ['link-errors', 2],
      ['thermistor-open', 3],
    ]);
    const [crc, thermistor] = problems(report);
    expect(crc.title).toMatch(/^module 2: \d+ of \d+ replies had CRC errors$/);
    expect(crc.detail).toContain("Only module 2's own replies are damaged");
    expect(report.modules[1].link.crcErrors).toBeGreaterThanOrEqual(3);
    expect(thermistor.title).toMatch(
      /^module 3, thermistor 2 reads −\d+ °C: open \(unplugged or broken wire\)$/,
    );
    expect(report.summary).toMatch(/^2 problems: module 2: .*CRC errors; module 3, thermistor 2 reads/);
    expect(report.modules.map((m) => m.status)).toEqual(['ok', 'problem', 'problem', 'ok']);
  });

  it('(c) a silent module 3 of 4: no module answers, the loop is open; the doctor says it cannot tell which and how to find it', async () => {
    const report = await doctorJson(withFaults(await emulatedPack(), { kind: 'silent', module: 3 }));
    expect(report.exitCode).toBe(1);
    expect(problems(report).map((f) => f.id)).toEqual(['loop-silent']);
    const [silent] = problems(report);
    expect(silent.title).toBe('discovery found 0 of 4 modules: nothing comes back, the loop is open');
    expect(silent.detail).toContain('one hung board');
    expect(silent.fix).toContain("connect the host's RX to the output of module 1");
    expect(report.modules.map((m) => m.status)).toEqual([
      'not-checked',
      'not-checked',
      'not-checked',
      'not-checked',
    ]);
  });

  it('(c) a loop that closes after module 2 of 4: discovery finds 2, modules 3 and 4 named as not on the loop', async () => {
    const report = await doctorJson(await emulatedPack({ modules: 2 }));
    expect(problems(report).map((f) => [f.id, f.module, f.title])).toEqual([
      [
        'module-missing',
        3,
        'discovery found 2 of 4 modules: module 3 is not on the loop (the loop closes after module 2)',
      ],
      [
        'module-missing',
        4,
        'discovery found 2 of 4 modules: module 4 is not on the loop (the loop closes after module 2)',
      ],
    ]);
    expect(report.modules.map((m) => [m.address, m.status])).toEqual([
      [1, 'ok'],
      [2, 'ok'],
      [3, 'problem'],
      [4, 'problem'],
    ]);
  });

  it('(c) module 3 lost power and came back without its address: renumbering needed names it; --fix-addresses renumbers', async () => {
    const loop = await emulatedPack();
    loop.chain.startFault({ kind: 'powerCycle', module: 3 });
    loop.chain.stopFault('powerCycle:3');
    const report = await doctorJson(loop);
    expect(problems(report).map((f) => [f.id, f.module])).toEqual([['renumbering-needed', 3]]);
    expect(report.pack.renumbered).toBe(false);
    expect(loop.chain.snapshot().modules.map((m) => m.address)).toEqual([1, 2, 0, 4]);

    const fixed = await doctorJson(loop, ['--fix-addresses']);
    expect(fixed.summary).toBe(ALL_GOOD);
    expect(fixed.pack.renumbered).toBe(true);
    expect(about(fixed, 'addresses-assigned')[0].title).toBe(
      'addresses assigned: 4 modules at 1–4 (--fix-addresses)',
    );
  });

  it('(d) module 2 without the protected registers: the finding names module 2 and programHardwareThresholds', async () => {
    const loop = withFaults(await emulatedPack(), { kind: 'noProtectedRegisters', module: 2 });
    const report = await doctorJson(loop);
    expect(problems(report).map((f) => [f.id, f.module, f.severity])).toEqual([
      ['protected-registers-unanswered', 2, 'problem'],
    ]);
    expect(problems(report)[0].title).toBe(
      'module 2 does not answer its protected configuration registers: set programHardwareThresholds: false',
    );
    expect(report.modules[1]).toMatchObject({
      status: 'problem',
      readings: 20,
      protectedRegisters: 'unanswered',
    });

    // With the setting already off in the controller's config it is a warning, and the run passes.
    const dir = mkdtempSync(path.join(tmpdir(), 'tsbms-doctor-'));
    try {
      const config = path.join(dir, 'config.json');
      writeFileSync(config, JSON.stringify({ programHardwareThresholds: false }));
      const relaxed = await doctorJson(loop, ['--config', config]);
      expect(problems(relaxed).map((f) => [f.id, f.severity])).toEqual([
        ['protected-registers-unanswered', 'warning'],
      ]);
      expect(relaxed.exitCode).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is read-only by default: fresh boards are reported as needing addresses and keep address 0', async () => {
    const loop = await emulatedPack({ addressed: false });
    const report = await doctorJson(loop);
    expect(problems(report).map((f) => f.id)).toEqual(['renumbering-needed']);
    expect(loop.chain.snapshot().modules.map((m) => m.address)).toEqual([0, 0, 0, 0]);
    expect(loop.chain.snapshot().modules.map((m) => m.counters.writesExecuted)).toEqual([0, 0, 0, 0]);
  });

  it('--can: the inverter heard on a CAN bus; an interface that does not open', async () => {
    const loop = await emulatedPack();
    const can = new MemoryCanBus({ clock: loop.clock });
    const inverter = can.attach();
    const keepAlive = interval(1000, loop.clock).subscribe(() => {
      void inverter.send({ id: 0x305, data: Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0) });
    });
    const heard = await doctorJson(loop, ['--can', 'can0', '--scans', '2'], {
      openCanBus: async (): Promise<CanBus> => can.attach(),
      readCanBitRate: async () => 500000,
    });
    keepAlive.unsubscribe();
    // One keep-alive a second: 3 in the 3 s window (4 if one falls on both of its ends).
    expect(about(heard, 'can-ok')[0].title).toMatch(
      /^CAN interface can0 is up; the inverter's 0x305 arrived \d times in 3 s$/,
    );
    expect(heard.can).toMatchObject({ iface: 'can0', opened: true, bitRate: 500000 });

    const down = await doctorJson(loop, ['--can', 'can0', '--scans', '2'], {
      openCanBus: async () => {
        throw new Error('cannot open CAN interface can0', { cause: new Error('interface is down') });
      },
    });
    expect(problems(down).map((f) => [f.id, f.title])).toEqual([
      ['can-unavailable', 'CAN interface can0: interface is down'],
    ]);
  });

  it('a port that does not open is a problem in the report; bad options exit 2', async () => {
    const loop = await emulatedPack();
    const failed = await doctorJson(loop, [], {
      openLink: async () => {
        throw new Error('cannot open /dev/emulated: No such file or directory');
      },
    });
    expect(problems(failed).map((f) => f.id)).toEqual(['serial-open-failed']);
    expect(failed.exitCode).toBe(1);
    for (const args of [['--scans', '0'], ['--modules', '63'], ['--bogus'], ['--can', '../x']]) {
      const run = await doctor(loop, args);
      expect({ args, code: run.code, stdout: run.stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(run.stderr).toMatch(/^doctor: /);
    }
    const noPort = new Capture();
    expect(await runDoctor(['--json'], { stdout: new Capture(), stderr: noPort, env: {} })).toBe(2);
    expect(noPort.text).toBe('doctor: --serial PATH (or serial.path in the config) is needed\n');
    const help = new Capture();
    expect(await runDoctor(['--help'], { stdout: help, stderr: new Capture(), env: {} })).toBe(0);
    expect(help.text).toContain('--fix-addresses');
  });
});

describe('npm run doctor -- --relays (in process, fake GPIO chip, virtual time)', () => {
  const CHIP = '/dev/gpiochip0';
  const COILS = { contactorNegative: 5, contactorPrecharge: 6, contactorPositive: 13, heater: 17 };
  const AUX = { contactorNegative: 20, contactorPrecharge: 21, contactorPositive: 22 };
  type Contactor = keyof typeof AUX;
  let workDir: string;
  let configFile: string;
  beforeAll(() => {
    workDir = mkdtempSync(path.join(tmpdir(), 'tsbms-doctor-relays-'));
    configFile = path.join(workDir, 'bms.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        gpio: {
          chip: CHIP,
          contactorNegativePin: COILS.contactorNegative,
          contactorPrechargePin: COILS.contactorPrecharge,
          contactorPositivePin: COILS.contactorPositive,
          heaterPin: COILS.heater,
          contactorNegativeFeedbackPin: AUX.contactorNegative,
          contactorPrechargeFeedbackPin: AUX.contactorPrecharge,
          contactorPositiveFeedbackPin: AUX.contactorPositive,
        },
      }),
    );
  });
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  /**
   * The chip with three contactors whose auxiliary contacts (to ground, pulled up: LOW = closed)
   * follow the coils every 10 ms; `auxOf` says which contactor's contact is wired to which input.
   */
  function wiredChip(
    clock: ManualClock,
    auxOf: Record<Contactor, Contactor> = {
      contactorNegative: 'contactorNegative',
      contactorPrecharge: 'contactorPrecharge',
      contactorPositive: 'contactorPositive',
    },
  ) {
    const chips = new FakeGpioChips({ [CHIP]: 32 });
    const follow = () => {
      for (const input of Object.keys(AUX) as Contactor[]) {
        const closed = chips.physicalLevel(CHIP, COILS[auxOf[input]]) === 1;
        chips.setInputLevel(CHIP, AUX[input], closed ? 0 : 1);
      }
    };
    follow();
    const wiring = interval(10, clock).subscribe(follow);
    return { chips, stop: () => wiring.unsubscribe() };
  }

  /** Answers the questions in order and keeps them. */
  function person(...answers: string[]) {
    const asked: string[] = [];
    return {
      asked,
      ask: async (question: string) => {
        asked.push(question);
        return answers.shift() ?? '';
      },
    };
  }

  it('confirmed disconnected, every relay clicks and every feedback follows: all good; everything off and freed at the end', async () => {
    const loop = await emulatedPack();
    const { chips, stop } = wiredChip(loop.clock);
    const answers = person('disconnected', 'y', 'y', 'yes', 'y');
    const run = await doctor(loop, ['--json', '--relays', '--config', configFile], {
      io: { ask: answers.ask },
      dependencies: { gpioBinding: chips },
    });
    stop();
    const report = doctorReportSchema.parse(JSON.parse(run.stdout));
    expect(report.summary).toBe(ALL_GOOD);
    expect(run.code).toBe(0);
    expect(answers.asked).toEqual([
      'Type "disconnected" when it is, anything else to skip: ',
      'Did contactorNegative click (on and off)? [y/n] ',
      'Did contactorPrecharge click (on and off)? [y/n] ',
      'Did contactorPositive click (on and off)? [y/n] ',
      'Did heater click (on and off)? [y/n] ',
    ]);
    expect(run.stderr).toContain('doctor: The battery must be DISCONNECTED from the contactors');
    expect(report.relays?.checks.map((c) => [c.relay, c.line, c.confirmed, c.feedback])).toEqual([
      ['contactorNegative', 5, true, { before: false, energised: true, after: false }],
      ['contactorPrecharge', 6, true, { before: false, energised: true, after: false }],
      ['contactorPositive', 13, true, { before: false, energised: true, after: false }],
      ['heater', 17, true, null],
    ]);
    // One output at a time: each coil was set on and off once, and the lines are free again.
    const sets = chips.calls.filter((call) => call.startsWith('set '));
    expect(sets.filter((call) => call.endsWith(' active'))).toHaveLength(4);
    expect(Object.values(COILS).map((line) => chips.physicalLevel(CHIP, line))).toEqual([0, 0, 0, 0]);
    expect(chips.openRequests).toBe(0);
  });

  it('anything but "disconnected": nothing is claimed or switched, a warning says why', async () => {
    const loop = await emulatedPack();
    const { chips, stop } = wiredChip(loop.clock);
    const report = doctorReportSchema.parse(
      JSON.parse(
        (
          await doctor(loop, ['--json', '--relays', '--config', configFile], {
            io: { ask: person('yes').ask },
            dependencies: { gpioBinding: chips },
          })
        ).stdout,
      ),
    );
    stop();
    expect(chips.calls).toEqual([]);
    expect(report.findings.filter((f) => f.id.startsWith('relay')).map((f) => f.id)).toEqual([
      'relays-not-confirmed',
    ]);
  });

  it("precharge's and positive's feedback wires swapped: both named as crossed, exit 1", async () => {
    const loop = await emulatedPack();
    const { chips, stop } = wiredChip(loop.clock, {
      contactorNegative: 'contactorNegative',
      contactorPrecharge: 'contactorPositive',
      contactorPositive: 'contactorPrecharge',
    });
    const run = await doctor(loop, ['--json', '--relays', '--config', configFile], {
      io: { ask: person('disconnected', 'y', 'y', 'y', 'y').ask },
      dependencies: { gpioBinding: chips },
    });
    stop();
    const report = doctorReportSchema.parse(JSON.parse(run.stdout));
    expect(run.code).toBe(1);
    expect(problems(report).map((f) => [f.id, f.title])).toEqual([
      [
        'relay-feedback-crossed',
        'switching contactorPrecharge (line 6) closed the feedback of contactorPositive, not its own',
      ],
      [
        'relay-feedback-crossed',
        'switching contactorPositive (line 13) closed the feedback of contactorPrecharge, not its own',
      ],
    ]);
  });

  it('Ctrl-C during a question: stopped, everything off and freed, the relays left named', async () => {
    const loop = await emulatedPack();
    const { chips, stop } = wiredChip(loop.clock);
    const ctrlC = new AbortController();
    let questions = 0;
    const ask = (question: string) =>
      new Promise<string>((resolve, reject) => {
        questions++;
        if (questions === 1) return resolve('disconnected');
        // The second question (after contactorNegative) is never answered: Ctrl-C instead.
        ctrlC.abort();
        reject(Object.assign(new Error(`aborted: ${question}`), { name: 'AbortError' }));
      });
    const run = await doctor(loop, ['--json', '--relays', '--config', configFile], {
      io: { ask, signal: ctrlC.signal },
      dependencies: { gpioBinding: chips },
    });
    stop();
    const report = doctorReportSchema.parse(JSON.parse(run.stdout));
    expect(report.relays).toMatchObject({ interrupted: true, checks: [] });
    expect(report.findings.filter((f) => f.id === 'relays-interrupted').map((f) => f.title)).toEqual([
      'the relay check was stopped; not checked: contactorNegative (line 5), contactorPrecharge (line 6), contactorPositive (line 13) and heater (line 17)',
    ]);
    expect(Object.values(COILS).map((line) => chips.physicalLevel(CHIP, line))).toEqual([0, 0, 0, 0]);
    expect(chips.openRequests).toBe(0);
  });

  it('--relays without a terminal to ask: refused before anything runs (exit 2)', async () => {
    const run = await doctor(await emulatedPack(), ['--relays', '--config', configFile]);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toBe('doctor: --relays asks before it switches anything: run it at a terminal\n');
  });
});

describe('npm run doctor as a process over a pty against the emulator app', () => {
  jest.setTimeout(90_000);
  let workDir: string;
  beforeAll(() => (workDir = mkdtempSync(path.join(tmpdir(), 'tsbms-doctor-e2e-'))));
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  const runDoctorProcess = (scope: Scope, args: readonly string[]) =>
    runScript(scope, 'apps/controller/src/doctor/main.ts', args);

  it(
    '--json: fresh boards need addresses (exit 1, none assigned); with --fix-addresses a healthy pack is all good (exit 0)',
    scoped(async (scope) => {
      const pty = await startPty(scope, workDir);
      await startEmulator(scope, pty.pathA, { modules: 3, cellsV: CELLS_V });
      const common = ['--serial', pty.pathB, '--modules', '3', '--scans', '3', '--json'];

      const fresh = await runDoctorProcess(scope, common);
      expect({ code: fresh.code, stderr: fresh.stderr }).toEqual({ code: 1, stderr: '' });
      const needed = doctorReportSchema.parse(JSON.parse(fresh.stdout));
      expect(problems(needed).map((f) => f.id)).toEqual(['renumbering-needed']);

      const fixed = await runDoctorProcess(scope, [...common, '--fix-addresses']);
      expect({ code: fixed.code, stderr: fixed.stderr }).toEqual({ code: 0, stderr: '' });
      const report = doctorReportSchema.parse(JSON.parse(fixed.stdout));
      expect(report.summary).toBe(ALL_GOOD);
      expect(report.modules.map((m) => [m.address, m.status, m.readings])).toEqual([
        [1, 'ok', 3],
        [2, 'ok', 3],
        [3, 'ok', 3],
      ]);
    }),
  );

  it(
    '--relays with stdin not a terminal: refused, exit 2, before the port is opened',
    scoped(async (scope) => {
      const run = await runDoctorProcess(scope, ['--serial', path.join(workDir, 'no-such-port'), '--relays']);
      expect(run).toEqual({
        code: 2,
        stdout: '',
        stderr: 'doctor: --relays asks before it switches anything: run it at a terminal\n',
      });
    }),
  );
});
