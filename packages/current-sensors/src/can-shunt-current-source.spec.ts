import fc from 'fast-check';
import { NEVER, Subject } from 'rxjs';
import {
  ManualClock,
  type CanBus,
  type CanFrame,
  type ChargeSample,
  type CurrentSample,
  type VoltageSample,
} from '@tsbms/hal';
import { expectInvalidArgument, MemoryCanBus, RecordingLogger } from '@tsbms/hal/testing';
import { CanShuntCurrentSource } from './can-shunt-current-source';
import { EmulatedIvtS } from './emulated-ivt-s';
import { EmulatedLemCab } from './emulated-lem-cab';
import { encodeIvtSResult, type IvtSChannel, type IvtSResultState } from './ivt-s-frames';
import { ivtSProtocol } from './ivt-s-protocol';
import { lemCabProtocol } from './lem-cab-protocol';

const result = (channel: IvtSChannel, rawValue: number, flags: Partial<IvtSResultState> = {}) =>
  encodeIvtSResult({
    channel,
    messageCounter: 0,
    state: { overcurrent: false, channelError: false, measurementError: false, systemError: false, ...flags },
    rawValue,
  });

/** A bus whose frames the test puts straight into `frames$`, byte for byte as given. */
function feedBus() {
  const frames = new Subject<CanFrame>();
  const bus: CanBus = {
    frames$: frames.asObservable(),
    events$: NEVER,
    isOpen: true,
    send: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  return { bus, feed: (id: number, data: Uint8Array) => frames.next({ id, data }) };
}

function collect(source: CanShuntCurrentSource) {
  const current: CurrentSample[] = [];
  const volts: VoltageSample[] = [];
  const charge: ChargeSample[] = [];
  source.current$.subscribe((s) => current.push(s));
  source.busVoltage$?.subscribe((s) => volts.push(s));
  source.chargeAh$?.subscribe((s) => charge.push(s));
  return { current, volts, charge };
}

describe('CanShuntCurrentSource with an IVT-S at its factory ids', () => {
  it('stamps each result with the clock when it arrives: current, U1 as the bus voltage, As as Ah', async () => {
    const clock = new ManualClock(1000);
    const { bus, feed } = feedBus();
    const source = new CanShuntCurrentSource({ bus, clock, protocol: ivtSProtocol() });
    const seen = collect(source);
    feed(0x521, result('current', 100000));
    await clock.advanceByMs(20);
    feed(0x522, result('voltage1', 52410));
    feed(0x527, result('charge', -3600));
    feed(0x521, result('current', -42500, { channelError: true }));
    expect(seen.current).toEqual([
      { timeMs: 1000, currentA: 100, quality: 'good' },
      { timeMs: 1020, currentA: -42.5, quality: 'overrange' },
    ]);
    expect(seen.volts).toEqual([{ timeMs: 1020, voltageV: 52.41 }]);
    expect(seen.charge).toEqual([{ timeMs: 1020, chargeAh: -1 }]);
    expect(source.counters()).toEqual({ samples: 2, dropped: 0 });
    expect(source.description).toBe('IVT-S at 0x521, 0x522, 0x527');
  });

  it('counts a dropped frame per id run, logs the first of a run and its end, and never mixes ids', () => {
    const logger = new RecordingLogger();
    const { bus, feed } = feedBus();
    const source = new CanShuntCurrentSource({
      bus,
      clock: new ManualClock(),
      protocol: ivtSProtocol(),
      logger,
    });
    const seen = collect(source);
    // The current is flagged three times while U1 keeps coming in good between them.
    for (let i = 0; i < 3; i++) {
      feed(0x521, result('current', 5000, { measurementError: true }));
      feed(0x522, result('voltage1', 52000));
    }
    feed(0x521, result('current', 5000));
    expect(seen.current.map((s) => s.currentA)).toEqual([5]);
    expect(seen.volts).toHaveLength(3);
    expect(source.counters()).toEqual({ samples: 1, dropped: 3 });
    expect(logger.lines).toEqual([
      {
        level: 'warn',
        fields: {
          event: 'currentSensor',
          sensor: source.description,
          canId: 0x521,
          reason: 'measurement error flagged',
        },
        message: `${source.description}: dropped a frame at 0x521 (measurement error flagged); the next ones like it are only counted`,
      },
      {
        level: 'info',
        fields: { event: 'currentSensor', sensor: source.description, canId: 0x521, droppedFrames: 3 },
        message: `${source.description}: 0x521 reads again after 3 dropped frame(s)`,
      },
    ]);
  });

  it('lets other nodes’ frames pass without counting them', () => {
    const { bus, feed } = feedBus();
    const source = new CanShuntCurrentSource({ bus, clock: new ManualClock(), protocol: ivtSProtocol() });
    feed(0x351, new Uint8Array(8));
    feed(0x525, result('temperature', 235));
    expect(source.counters()).toEqual({ samples: 0, dropped: 0 });
  });

  it('never throws on any bytes at its ids: each frame is a sample, a voltage, a charge or a drop', () => {
    const ids = [0x521, 0x522, 0x527];
    fc.assert(
      fc.property(
        fc.array(fc.record({ id: fc.constantFrom(...ids), data: fc.uint8Array({ maxLength: 8 }) })),
        (frames) => {
          const { bus, feed } = feedBus();
          const source = new CanShuntCurrentSource({
            bus,
            clock: new ManualClock(),
            protocol: ivtSProtocol(),
          });
          const seen = collect(source);
          for (const frame of frames) feed(frame.id, frame.data);
          const { samples, dropped } = source.counters();
          expect(samples).toBe(seen.current.length);
          expect(samples + seen.volts.length + seen.charge.length + dropped).toBe(frames.length);
          for (const s of seen.current) expect(Number.isFinite(s.currentA)).toBe(true);
        },
      ),
    );
  });

  it('close() completes the streams, stops counting, leaves the bus open and can be called again', async () => {
    const { bus, feed } = feedBus();
    const source = new CanShuntCurrentSource({ bus, clock: new ManualClock(), protocol: ivtSProtocol() });
    let completed = 0;
    source.current$.subscribe({ complete: () => completed++ });
    source.busVoltage$?.subscribe({ complete: () => completed++ });
    source.chargeAh$?.subscribe({ complete: () => completed++ });
    await source.close();
    await source.close();
    feed(0x521, result('current', 1000));
    feed(0x521, new Uint8Array(2));
    expect(completed).toBe(3);
    expect(source.counters()).toEqual({ samples: 0, dropped: 0 });
    expect(bus.isOpen).toBe(true);
  });

  it('has no bus voltage stream when no voltage input is the link', () => {
    const source = new CanShuntCurrentSource({
      bus: feedBus().bus,
      clock: new ManualClock(),
      protocol: ivtSProtocol({ busVoltageChannel: null }),
    });
    expect(source.busVoltage$).toBeUndefined();
    expect(source.chargeAh$).toBeDefined();
  });

  it('refuses a bus that is not a CanBus and a clock that is not a Clock', async () => {
    const protocol = ivtSProtocol();
    await expectInvalidArgument(
      () => new CanShuntCurrentSource({ bus: {} as never, clock: new ManualClock(), protocol }),
      'options.bus',
    );
    await expectInvalidArgument(
      () => new CanShuntCurrentSource({ bus: feedBus().bus, clock: {} as never, protocol }),
      'options.clock',
    );
  });
});

describe('EmulatedLemCab → CanShuntCurrentSource on a MemoryCanBus', () => {
  function setUp() {
    const clock = new ManualClock();
    const canBus = new MemoryCanBus({ clock });
    const logger = new RecordingLogger();
    const sensor = new EmulatedLemCab({ bus: canBus.attach(), clock });
    const source = new CanShuntCurrentSource({
      bus: canBus.attach(),
      clock,
      protocol: lemCabProtocol(),
      logger,
    });
    return { clock, sensor, source, logger, seen: collect(source) };
  }

  it('reads the current the sensor measures every 10 ms, stamped on arrival, and nothing else', async () => {
    const h = setUp();
    h.sensor.setCurrent(-123.456);
    await h.clock.advanceByMs(30);
    h.sensor.setCurrent(250);
    await h.clock.advanceByMs(10);
    expect(h.seen.current).toEqual([
      { timeMs: 10, currentA: -123.456, quality: 'good' },
      { timeMs: 20, currentA: -123.456, quality: 'good' },
      { timeMs: 30, currentA: -123.456, quality: 'good' },
      { timeMs: 40, currentA: 250, quality: 'good' },
    ]);
    expect(h.source.busVoltage$).toBeUndefined();
    expect(h.source.description).toBe('LEM CAB at 0x3C2');
  });

  it('drops every message the sensor flags as an error, logs the run once and its end once', async () => {
    const h = setUp();
    h.sensor.setCurrent(80);
    await h.clock.advanceByMs(10);
    h.sensor.setError(0x43);
    await h.clock.advanceByMs(50);
    h.sensor.setError(null);
    await h.clock.advanceByMs(10);
    expect(h.seen.current.map((s) => [s.timeMs, s.currentA])).toEqual([
      [10, 80],
      [70, 80],
    ]);
    expect(h.source.counters()).toEqual({ samples: 2, dropped: 5 });
    expect(h.logger.lines.map((line) => [line.level, line.message])).toEqual([
      [
        'warn',
        'LEM CAB at 0x3C2: dropped a frame at 0x3C2 (error flagged: fluxgate not oscillating); the next ones like it are only counted',
      ],
      ['info', 'LEM CAB at 0x3C2: 0x3C2 reads again after 5 dropped frame(s)'],
    ]);
  });
});

describe('EmulatedIvtS → CanShuntCurrentSource on a MemoryCanBus', () => {
  // Ids below 0x400, as an IVT-S can be given with its Set_CAN_ID commands (so also on a GX's bus).
  const canIds = { current: 0x321, voltage1: 0x322, charge: 0x327 };

  function setUp(cycleTimesMs = { current: 20, voltage1: 60, charge: 100 }) {
    const clock = new ManualClock();
    const canBus = new MemoryCanBus({ clock });
    const shunt = new EmulatedIvtS({ bus: canBus.attach(), clock, canIds, cycleTimesMs });
    const source = new CanShuntCurrentSource({
      bus: canBus.attach(),
      clock,
      protocol: ivtSProtocol({ canIds }),
    });
    return { clock, shunt, source, seen: collect(source) };
  }

  it('reads the current, U1 and the As counter the shunt integrates, each on its own cycle', async () => {
    const h = setUp();
    h.shunt.setCurrent(36);
    h.shunt.setVoltage('voltage1', 51.2);
    await h.clock.advanceByMs(1000);
    h.shunt.stop();
    expect(h.seen.current).toHaveLength(50);
    expect(h.seen.current.every((s) => s.currentA === 36 && s.quality === 'good')).toBe(true);
    expect(h.seen.volts).toHaveLength(16);
    expect(h.seen.volts[0]).toEqual({ timeMs: 60, voltageV: 51.2 });
    // 36 A for 1 s is 36 As: 0.01 Ah.
    expect(h.seen.charge.at(-1)).toEqual({ timeMs: 1000, chargeAh: 0.01 });
    expect(h.shunt.sendFailures).toBe(0);
  });

  it('a result flagged out of range is an overrange current, a measurement error no current at all', async () => {
    const h = setUp({ current: 20, voltage1: 20, charge: 20 });
    h.shunt.setCurrent(2600);
    h.shunt.setState({ channelError: true });
    await h.clock.advanceByMs(20);
    h.shunt.setState({ measurementError: true });
    await h.clock.advanceByMs(20);
    h.shunt.setState({});
    await h.clock.advanceByMs(20);
    expect(h.seen.current.map((s) => [s.timeMs, s.quality])).toEqual([
      [20, 'overrange'],
      [60, 'good'],
    ]);
    // U1 and As out of range at 20 ms, all three in error at 40 ms.
    expect(h.source.counters()).toEqual({ samples: 2, dropped: 5 });
  });

  it('with the factory ids: refused by a bus with the default V-1 limit, read on a shunt bus (maxSendId 0x7FF)', async () => {
    const clock = new ManualClock();
    const guarded = new MemoryCanBus({ clock });
    const refused = new EmulatedIvtS({ bus: guarded.attach(), clock });
    await clock.advanceByMs(60);
    refused.stop();
    // The factory setting: the current every 20 ms, U1..U3 every 60 ms.
    expect(refused.sendFailures).toBe(3 + 3);
    expect(guarded.framesOnWire).toEqual([]);

    const shuntBus = new MemoryCanBus({ clock, maxSendId: 0x7ff });
    const shunt = new EmulatedIvtS({ bus: shuntBus.attach(), clock });
    const source = new CanShuntCurrentSource({ bus: shuntBus.attach(), clock, protocol: ivtSProtocol() });
    const seen = collect(source);
    shunt.setCurrent(-12.5);
    await clock.advanceByMs(60);
    shunt.stop();
    expect(shunt.sendFailures).toBe(0);
    expect(seen.current.map((s) => s.currentA)).toEqual([-12.5, -12.5, -12.5]);
  });
});
