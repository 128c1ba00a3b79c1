import { ManualClock, SimulatedDigitalOutput } from '@tsbms/hal';
import { RecordingLink, RecordingLogger } from '@tsbms/hal/testing';
import { EmulatedChain } from '@tsbms/module-emulator';
import { buildBatteryModelConfig } from '@tsbms/battery-model';
import { buildFaultEngineConfig } from '@tsbms/fault-engine';
import { buildControlConfig } from '@tsbms/control';
import { hardwareThresholdsFromFaultLevels } from '@tsbms/tesla-protocol';
import type { BmsStatus, PersistedBmsState } from '@tsbms/bms-core';
import { inspectTeslaPack, startTeslaCore, type TeslaCore, type TeslaCoreOptions } from './tesla-core';

const MODULES = 4;
/** Broadcast CB_CTRL = 0 (T-22), as it appears on the wire. */
const STOP_BALANCING = [0x7f, 0x32, 0x00, 0xf3];

function setUp(
  given: {
    modules?: number;
    configured?: number;
    cellVoltagesV?: number[];
    programHardwareThresholds?: boolean;
    persisted?: PersistedBmsState | null;
  } = {},
) {
  const clock = new ManualClock();
  const configured = given.configured ?? MODULES;
  const chain = new EmulatedChain({
    clock,
    modules: given.modules ?? MODULES,
    seed: 7,
    cellVoltagesV: given.cellVoltagesV ?? [3.8],
    temperaturesC: [25, 25],
  });
  const link = new RecordingLink(chain.link);
  const outputs = {
    contactorNegative: new SimulatedDigitalOutput('contactorNegative', clock),
    contactorPrecharge: new SimulatedDigitalOutput('contactorPrecharge', clock),
    contactorPositive: new SimulatedDigitalOutput('contactorPositive', clock),
    heater: new SimulatedDigitalOutput('heater', clock),
    statusLed: new SimulatedDigitalOutput('statusLed', clock),
  };
  const faultEngine = buildFaultEngineConfig({});
  const logger = new RecordingLogger();
  const log = logger.lines;
  const options: TeslaCoreOptions = {
    link,
    clock,
    logger,
    relays: outputs,
    libraries: {
      batteryModel: buildBatteryModelConfig({ moduleCount: configured, parallelStringCount: 1 }),
      faultEngine,
      control: buildControlConfig({ moduleCount: configured }),
      hardwareThresholds: hardwareThresholdsFromFaultLevels({
        cellOverVoltageFaultV: faultEngine.thresholds.cellOverVoltageV.fault,
        cellUnderVoltageFaultV: faultEngine.thresholds.cellUnderVoltageV.fault,
        overTemperatureFaultC: faultEngine.thresholds.overTemperatureC.fault,
      }),
    },
    settings: {
      programHardwareThresholds: given.programHardwareThresholds ?? true,
      readWithCrc: true,
      replyTimeoutMs: 100,
    },
    persisted: given.persisted,
  };
  const relays = () => ({
    negative: outputs.contactorNegative.state,
    precharge: outputs.contactorPrecharge.state,
    positive: outputs.contactorPositive.state,
  });
  let core: TeslaCore | null = null;
  const started = () => {
    if (core === null) throw new Error('start() the core first');
    return core;
  };
  return {
    clock,
    chain,
    link,
    outputs,
    log,
    relays,
    /** Discovery, setup, then the scan loop, as the daemon runs it. */
    start: () => (core ??= startTeslaCore(options)),
    /** `--once`. */
    inspect: () => inspectTeslaPack(options),
    get bms() {
      return started().bms;
    },
    stop: () => (core === null ? Promise.resolve() : core.bms.stop()),
  };
}

type Harness = ReturnType<typeof setUp>;

/** Advances virtual time in poll-sized steps so every scan and timer runs in order. */
async function advanceS(h: Harness, seconds: number): Promise<void> {
  for (let i = 0; i < seconds * 10; i++) await h.clock.advanceByMs(100);
}

/** Runs until `predicate` holds, up to `limitS`; returns the virtual seconds it took. */
async function advanceUntil(h: Harness, predicate: () => boolean, limitS: number): Promise<number> {
  const startMs = h.clock.now();
  while (!predicate()) {
    if (h.clock.now() - startMs > limitS * 1000) throw new Error(`condition not met within ${limitS} s`);
    await h.clock.advanceByMs(100);
  }
  return (h.clock.now() - startMs) / 1000;
}

/** Advances virtual time until `promise` settles and returns its value. */
async function settle<T>(h: Harness, promise: Promise<T>): Promise<T> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  while (!settled) await h.clock.advanceByMs(10);
  return promise;
}

async function finish(h: Harness): Promise<void> {
  await settle(h, h.stop());
  await h.chain.close();
}

describe('The BMS core on the Tesla scan loop, on an emulated pack (virtual time)', () => {
  jest.setTimeout(30_000);

  it('discovers, sets up the boards and scans at the poll interval', async () => {
    const h = setUp();
    h.start();
    await advanceS(h, 3);
    const status = h.bms.status();
    expect(status.discovery).toEqual({ expected: MODULES, found: MODULES });
    expect(status.modules.map((m) => m.address)).toEqual([1, 2, 3, 4]);
    for (const module of status.modules) {
      expect(module.commsOk).toBe(true);
      expect(module.hardwareFlags).toEqual([]); // setup cleared POR and AR
      for (const cell of module.cells) expect(cell.voltageV).toBeCloseTo(3.8, 2);
    }
    // The boards hold the thresholds the runtime wrote (COV 4.20 V → 0x2C, CUV 3.50 V → 0x1C, T-18).
    const registers = h.chain.snapshot().modules[0].registers;
    expect(registers[0x42]).toBe(0x2c);
    expect(registers[0x44]).toBe(0x1c);

    // Scans every 0.5 s: count broadcast ADC_CONVERT writes over 10 s.
    const converts = () => h.link.writes.filter((w) => w[0] === 0x7f && w[1] === 0x34).length;
    const before = converts();
    await advanceS(h, 10);
    expect(converts() - before).toBe(20);
    expect(
      h.log.some((l) => l.message === 'discovery: 4 of 4 modules at [1, 2, 3, 4] (addresses assigned)'),
    ).toBe(true);
    await finish(h);
  });

  it('closes the contactors through negative, precharge and overlap', async () => {
    const h = setUp();
    h.start();
    await advanceUntil(h, () => h.bms.status().contactors.state === 'CLOSED', 15);
    const on = (o: SimulatedDigitalOutput) => o.transitions.filter((t) => t.on).map((t) => t.atMs);
    const off = (o: SimulatedDigitalOutput) => o.transitions.filter((t) => !t.on).map((t) => t.atMs);
    const [negativeOn] = on(h.outputs.contactorNegative);
    const [prechargeOn] = on(h.outputs.contactorPrecharge);
    const [positiveOn] = on(h.outputs.contactorPositive);
    expect(prechargeOn - negativeOn).toBe(1000); // contactorNegativeTimeS
    expect(positiveOn - prechargeOn).toBe(5000); // timed precharge (no bus-voltage input)
    expect(off(h.outputs.contactorPrecharge)[0] - positiveOn).toBe(1000); // overlap
    expect(h.relays()).toEqual({ negative: true, precharge: false, positive: true });
    expect(h.outputs.statusLed.state).toBe(true);
    expect(h.bms.status().limits?.cclA).toBeGreaterThanOrEqual(0);
    expect(h.log.filter((l) => l.fields.event === 'contactors').map((l) => l.fields.state)).toEqual([
      'OPEN',
      'NEGATIVE',
      'PRECHARGE',
      'OVERLAP',
      'CLOSED',
    ]);
    await finish(h);
  });

  it('opens the contactors after the over-voltage debounce and names the cell', async () => {
    const h = setUp();
    h.start();
    await advanceUntil(h, () => h.bms.status().contactors.state === 'CLOSED', 15);
    h.chain.setCellVoltage(2, 3, 4.17); // module 2, cell 3: above the 4.15 V fault level, below the chip's 4.20 V
    const t0 = h.clock.now();
    await advanceS(h, 9);
    expect(h.relays()).toEqual({ negative: true, precharge: false, positive: true });
    await advanceUntil(h, () => !h.outputs.contactorPositive.state, 3);
    const openedAfterS = (h.clock.now() - t0) / 1000;
    expect(openedAfterS).toBeGreaterThanOrEqual(10);
    expect(openedAfterS).toBeLessThanOrEqual(11);
    expect(h.relays()).toEqual({ negative: false, precharge: false, positive: false });
    const status = h.bms.status();
    expect(status.contactors).toMatchObject({ state: 'OPEN', openReason: 'fault' });
    expect(status.faults).toEqual([
      expect.objectContaining({
        kind: 'cellOverVoltage',
        level: 'fault',
        location: { moduleAddress: 2, cellIndex: 2 },
      }),
    ]);
    expect(status.limits).toMatchObject({ cclA: 0, dclA: 0 });
    expect(
      h.log.some(
        (l) => l.level === 'error' && l.message === 'cellOverVoltage fault raise at module 2 cell 3',
      ),
    ).toBe(true);
    await finish(h);
  });

  it('opens on a silent module within the comms timeout and recovers when it answers again', async () => {
    const h = setUp();
    h.start();
    await advanceUntil(h, () => h.bms.status().contactors.state === 'CLOSED', 15);
    const key = h.chain.startFault({ kind: 'silent', module: 2 });
    const openedAfterS = await advanceUntil(h, () => !h.outputs.contactorNegative.state, 15);
    expect(openedAfterS).toBeLessThanOrEqual(10.5);
    expect(openedAfterS).toBeGreaterThanOrEqual(9.5); // B-41: a warning first, the fault at commsTimeoutS
    const faults = h.bms.status().faults;
    expect(faults).toContainEqual(
      expect.objectContaining({ kind: 'moduleCommsLoss', level: 'fault', location: { moduleAddress: 2 } }),
    );
    expect(h.bms.status().modules[1]).toMatchObject({ commsOk: false, stale: true });

    h.chain.stopFault(key);
    await advanceS(h, 2);
    expect(h.bms.status().modules.every((m) => m.commsOk)).toBe(true);
    // The comms fault clears after 60 s of good scans; the contactors close again through the full sequence.
    const reclosedAfterS = await advanceUntil(h, () => h.bms.status().contactors.state === 'CLOSED', 90);
    expect(reclosedAfterS).toBeGreaterThanOrEqual(60);
    expect(h.bms.status().faults).toEqual([]);
    await finish(h);
  });

  it('writes the balancing decision back through the scan and stops bleeding afterwards', async () => {
    // Cell 4 of every module 60 mV above the others, all above the 3.9 V balancing voltage.
    const h = setUp({ cellVoltagesV: [3.95, 3.95, 3.95, 4.01, 3.95, 3.95] });
    h.start();
    const cbCtrl = () => h.chain.snapshot().modules.map((m) => m.registers[0x32]);
    await advanceUntil(h, () => cbCtrl().every((mask) => mask === 0x08), 10);
    const status = h.bms.status();
    for (const module of status.modules) {
      expect(module.cells.map((c) => c.balancing)).toEqual([false, false, false, true, false, false]);
    }
    expect(h.log.some((l) => l.message === 'balancing cells 1.4, 2.4, 3.4, 4.4 (module.cell)')).toBe(true);
    // BALANCE lasts balanceTimeS (10 s); then MEASURE, and the runtime switches the FETs off at
    // once rather than leaving them to the chips' 2 s safety timer.
    await advanceUntil(h, () => h.log.some((l) => l.message === 'balancing off'), 12);
    await h.clock.advanceByMs(600);
    expect(cbCtrl()).toEqual([0, 0, 0, 0]);
    expect(h.chain.snapshot().modules.every((m) => m.cells.every((c) => !c.balancing))).toBe(true);
    await finish(h);
  });

  it('treats a link that closed as silence: comms fault, contactors open, one log line', async () => {
    const h = setUp();
    h.start();
    await advanceUntil(h, () => h.bms.status().contactors.state === 'CLOSED', 15);
    await h.chain.close(); // the serial device vanished
    const openedAfterS = await advanceUntil(h, () => !h.outputs.contactorNegative.state, 15);
    expect(openedAfterS).toBeGreaterThanOrEqual(9.5);
    expect(openedAfterS).toBeLessThanOrEqual(10.5);
    const faults = h.bms.status().faults.map((f) => `${f.kind} ${f.location.moduleAddress}`);
    expect(faults).toEqual([
      'moduleCommsLoss 1',
      'moduleCommsLoss 2',
      'moduleCommsLoss 3',
      'moduleCommsLoss 4',
    ]);
    expect(h.log.filter((l) => l.message.startsWith('scan failed:'))).toHaveLength(1);
    await settle(h, h.stop()); // CB_CTRL = 0 cannot be sent: logged, stop still completes
    expect(h.log.at(-1)?.message).toBe('shutdown: outputs off, but CB_CTRL = 0 could not be sent');
  });

  it('readdresses and sets up again a module that lost power, without a restart', async () => {
    const h = setUp();
    h.start();
    await advanceUntil(h, () => h.bms.status().contactors.state === 'CLOSED', 15);
    const key = h.chain.startFault({ kind: 'powerCycle', module: 3 });
    await advanceS(h, 2);
    h.chain.stopFault(key); // back with address 0, POR and AR set, shadow registers from OTP
    expect(h.chain.snapshot().modules[2].registers[0x42]).not.toBe(0x2c);
    await advanceUntil(h, () => h.bms.status().modules.every((m) => m.commsOk), 15);
    expect(h.chain.snapshot().modules.map((m) => m.registers[0x42])).toEqual([0x2c, 0x2c, 0x2c, 0x2c]);
    expect(h.bms.status().modules[2].hardwareFlags).toEqual([]);
    const assigned = h.log.filter(
      (l) => l.message === 'discovery: 4 of 4 modules at [1, 2, 3, 4] (addresses assigned)',
    );
    expect(assigned).toHaveLength(2); // at start and after the power cycle
    await finish(h);
  });

  it('clears a latched CRC bit (T-26), so its warning clears once the line is clean again', async () => {
    const h = setUp();
    h.start();
    await advanceUntil(h, () => h.bms.status().contactors.state === 'CLOSED', 15);
    const crcWarning = () =>
      h.bms.status().alerts.some((a) => a.kind === 'moduleHardwareFault' && a.detail?.includes('CRC'));
    // Corrupted requests: a board that receives one sets FAULT_STATUS[CRC] and stays silent.
    const key = h.chain.startFault({ kind: 'flipBits', direction: 'toModules', probability: 0.02 });
    await advanceUntil(h, crcWarning, 60);
    h.chain.stopFault(key);
    // The bit is cleared within 10 s, then the warning's 60 s clear delay (§2.3) runs.
    await advanceUntil(h, () => !crcWarning(), 90);
    expect(h.bms.status().modules.every((m) => !m.hardwareFlags.includes('CRC'))).toBe(true);
    await finish(h);
  });

  it('leaves the thresholds in the boards alone alone when programming them is off', async () => {
    const h = setUp({ programHardwareThresholds: false });
    const factoryCov = h.chain.snapshot().modules[0].registers[0x42];
    h.start();
    await advanceS(h, 2);
    const status = h.bms.status();
    expect(status.modules.every((m) => m.commsOk && m.hardwareFlags.length === 0)).toBe(true); // POR/AR cleared
    expect(h.chain.snapshot().modules.map((m) => m.registers[0x42])).toEqual([
      factoryCov,
      factoryCov,
      factoryCov,
      factoryCov,
    ]);
    expect(
      h.log.some((l) => l.message.endsWith('latched bits cleared (hardware thresholds left as they are)')),
    ).toBe(true);
    await finish(h);
  });

  it('keeps retrying discovery with a module-count fault while modules are missing', async () => {
    const h = setUp({ modules: 3, configured: 4 });
    h.start();
    await advanceS(h, 12);
    const status = h.bms.status();
    expect(status.discovery).toEqual({ expected: 4, found: 3 });
    expect(status.faults).toContainEqual(
      expect.objectContaining({ kind: 'moduleCountMismatch', level: 'fault' }),
    );
    expect(h.relays()).toEqual({ negative: false, precharge: false, positive: false });
    // Retried every 5 s: three RESET broadcasts (7F 3C A5 57) in 12 s, logged once.
    const resets = h.link.writes.filter((w) => w[0] === 0x7f && w[1] === 0x3c).length;
    expect(resets).toBe(3);
    expect(h.log.filter((l) => l.fields.event === 'discovery')).toHaveLength(1);
    await finish(h);
  });

  it('stop(): relays off at once, then CB_CTRL = 0 broadcast before it resolves', async () => {
    const h = setUp();
    h.start();
    await advanceUntil(h, () => h.bms.status().contactors.state === 'CLOSED', 15);
    const stopAtMs = h.clock.now();
    const writesBefore = h.link.writes.length;
    const stopped = h.bms.stop();
    expect(h.relays()).toEqual({ negative: false, precharge: false, positive: false });
    expect(h.outputs.statusLed.state).toBe(false);
    await settle(h, stopped);
    const after = h.link.writes.slice(writesBefore).map((w) => [...w]);
    expect(after[after.length - 1]).toEqual(STOP_BALANCING);
    expect(h.outputs.contactorPositive.transitions.at(-1)).toEqual({ atMs: stopAtMs, on: false });
    expect(h.bms.status().contactors).toMatchObject({ state: 'OPEN', openReason: 'shutdown' });
    // Nothing closes afterwards.
    await h.clock.advanceByMs(20_000);
    expect(h.relays()).toEqual({ negative: false, precharge: false, positive: false });
    await h.chain.close();
  });

  it('runOnce: reports the scan, or why discovery failed', async () => {
    const h = setUp();
    const result = await settle(h, h.inspect());
    expect(result.ok).toBe(true);
    expect(result.status.modules).toHaveLength(MODULES);
    expect(result.status.contactors.state).toBe('OPEN');
    await finish(h);

    const short = setUp({ modules: 2, configured: 3 });
    const failed = await settle(short, short.inspect());
    expect(failed).toMatchObject({ ok: false, reason: 'discovery found 2 of 3 configured modules' });
    await finish(short);
  });

  it('a latched fault outlives its condition and a restart (B-6) until an operator acknowledges it', async () => {
    const first = setUp();
    const snapshots: BmsStatus[] = [];
    first.start();
    first.bms.status$.subscribe((status) => snapshots.push(status));
    await advanceUntil(first, () => first.bms.status().contactors.state === 'CLOSED', 15);
    expect(snapshots.length).toBeGreaterThan(10); // one per scan
    first.chain.setCellVoltage(1, 2, 4.17);
    await advanceUntil(first, () => first.bms.status().faults.length > 0, 12);
    first.chain.setCellVoltage(1, 2, 3.8);
    await advanceS(first, 5);
    expect(first.bms.status().faults).toEqual([
      expect.objectContaining({
        kind: 'cellOverVoltage',
        latched: true,
        location: { moduleAddress: 1, cellIndex: 1 },
      }),
    ]);
    const persisted = first.bms.persistedState();
    expect(persisted.faults?.faults).toEqual([
      expect.objectContaining({ kind: 'cellOverVoltage', level: 'fault' }),
    ]);
    expect(persisted.soc?.socPercent).toEqual(expect.any(Number));
    await finish(first);

    // A new process: the fault is back before anything can close, and the contactors stay open.
    const second = setUp({ persisted: JSON.parse(JSON.stringify(persisted)) as PersistedBmsState });
    const afterAck: BmsStatus[] = [];
    second.start();
    await advanceS(second, 15);
    expect(second.bms.status().faults).toEqual([expect.objectContaining({ kind: 'cellOverVoltage' })]);
    expect(second.outputs.contactorNegative.transitions).toEqual([]);

    second.bms.status$.subscribe((status) => afterAck.push(status));
    const result = second.bms.acknowledgeFaults({ source: 'test' });
    expect(result.accepted).toHaveLength(1);
    expect(afterAck[0].faults).toEqual([]); // published at once, not at the next scan
    expect(second.bms.faultEvents().map((e) => `${e.type}:${e.source}`)).toEqual(
      expect.arrayContaining(['acknowledge:test', 'clear:test']),
    );
    await advanceUntil(second, () => second.bms.status().contactors.state === 'CLOSED', 15);
    await finish(second);
  });

  it('logs that scans run once, with what the first one saw, not every poll', async () => {
    const h = setUp();
    h.start();
    await advanceS(h, 5);
    const scanLines = h.log.filter((l) => l.fields.event === 'scan');
    expect(scanLines).toHaveLength(1);
    expect(scanLines[0].message).toMatch(
      /^scanning 4 modules every 0\.5 s: pack 91\.\d\d V, cells 3\.\d{3}–3\.\d{3} V, SoC \d+\.\d %$/,
    );
    await finish(h);
  });

  /*
   * Issue 17, decided in bms-behaviour.md §2.3: a module-count fault latches, since a module
   * missing for real (a loose connector) must wait for someone to look; a renumbering cut short
   * is no count, so the one after a power cycle does not raise it.
   */
  describe('the module count after a power cycle, and a module missing for real', () => {
    const resets = (h: Harness) => h.link.writes.filter((w) => w[0] === 0x7f && w[1] === 0x3c).length;
    const countRaises = (h: Harness) =>
      h.bms.faultEvents().filter((e) => e.kind === 'moduleCountMismatch' && e.type === 'raise');

    it('a renumbering cut short after a power cycle raises no count fault: the pack closes again by itself', async () => {
      const h = setUp();
      h.start();
      await advanceUntil(h, () => h.bms.status().contactors.state === 'CLOSED', 15);
      const resetsBefore = resets(h);
      const transitionsBefore = h.outputs.contactorPositive.transitions.length;
      h.chain.stopFault(h.chain.startFault({ kind: 'powerCycle', module: 3 })); // back at address 0
      // The recovery renumbers the chain; module 3 goes quiet again half-way (a supply that bounces).
      await advanceUntil(h, () => resets(h) > resetsBefore, 15);
      const bounce = h.chain.startFault({ kind: 'silent', module: 3 });
      await advanceS(h, 1);
      h.chain.stopFault(bounce);
      const cutShort = h.log.filter((l) => l.fields.event === 'discovery' && l.fields.end === 'error');
      expect(cutShort).not.toEqual([]);
      // Module 3 silent beyond the comms timeout: the pack opens (B-42). The next attempt finds
      // all four: the pack closes again, nobody has to acknowledge.
      await advanceUntil(h, () => h.bms.status().contactors.state !== 'CLOSED', 15);
      await advanceUntil(h, () => h.bms.status().contactors.state === 'CLOSED', 120);
      expect(h.outputs.contactorPositive.transitions.length).toBeGreaterThan(transitionsBefore);
      expect(countRaises(h)).toEqual([]);
      expect(h.bms.status().discovery).toEqual({ expected: 4, found: 4 });
      await finish(h);
    });

    it('a module missing for real latches the count fault, across a restart, until acknowledged', async () => {
      const first = setUp({ modules: 3, configured: 4 });
      first.start();
      await advanceS(first, 70); // beyond any clear delay
      const raisedWith = {
        kind: 'moduleCountMismatch',
        latched: true,
        value: 3,
        threshold: 4,
        detail:
          "discovered 3, configured 4: check the modules and the loop's connectors, then acknowledge once a discovery finds 4",
      };
      // (with the comms loss of the modules never scanned)
      expect(first.bms.status().faults).toContainEqual(expect.objectContaining(raisedWith));
      expect(first.bms.acknowledgeFaults({ source: 'test' }).accepted).toEqual([]); // still missing
      const persisted = JSON.parse(JSON.stringify(first.bms.persistedState())) as PersistedBmsState;
      await finish(first);

      // The connector fixed, a restart: the discovery matches, the fault still holds the pack open.
      const second = setUp({ persisted });
      second.start();
      await advanceS(second, 30);
      expect(second.bms.status().faults).toEqual([
        expect.objectContaining({
          ...raisedWith,
          clearable: true,
          now: { value: 4, threshold: 4, detail: 'discovered 4, configured 4' },
        }),
      ]);
      expect(second.outputs.contactorNegative.transitions).toEqual([]);
      expect(second.bms.acknowledgeFaults({ source: 'test' }).accepted).toHaveLength(1);
      await advanceUntil(second, () => second.bms.status().contactors.state === 'CLOSED', 30);
      await finish(second);
    });
  });
});
