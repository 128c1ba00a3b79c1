import { ManualClock, type ChargeSample, type CurrentSample, type VoltageSample } from '@tsbms/hal';
import { createMemoryLinkPair, expectInvalidArgument } from '@tsbms/hal/testing';
import { EmulatedVeDirectMonitor } from './emulated-ve-direct-monitor';
import { decodeVeDirectBatteryBlock, VeDirectCurrentSource } from './ve-direct-current-source';
import { encodeVeDirectBlock } from './ve-direct-text';

const mainBlock = (currentMilliA: string, extra: [string, string][] = []) =>
  encodeVeDirectBlock([
    ['PID', '0xA389'],
    ['V', '52410'],
    ['I', currentMilliA],
    ['CE', '-1500'],
    ['SOC', '975'],
    ...extra,
  ]);

function setUp() {
  const clock = new ManualClock();
  const { a: monitor, b: port } = createMemoryLinkPair({ clock });
  const source = new VeDirectCurrentSource({ link: port, clock });
  const current: CurrentSample[] = [];
  const volts: VoltageSample[] = [];
  const charge: ChargeSample[] = [];
  source.current$.subscribe((s) => current.push(s));
  source.batteryVoltage$.subscribe((s) => volts.push(s));
  source.chargeAh$.subscribe((s) => charge.push(s));
  /** The monitor sends `bytes`; they arrive on the clock. */
  const send = async (bytes: Uint8Array) => {
    await monitor.write(bytes);
    await clock.advanceByMs(1000);
  };
  return { clock, source, current, volts, charge, send };
}

describe('decodeVeDirectBatteryBlock', () => {
  it('turns mV, mA, mAh and ‰ into V, A, Ah and %', () => {
    const block = new Map([
      ['PID', '0xA389'],
      ['V', '26201'],
      ['I', '-12500'],
      ['CE', '-43210'],
      ['SOC', '812'],
    ]);
    expect(decodeVeDirectBatteryBlock(block)).toEqual({
      productId: '0xA389',
      voltageV: 26.201,
      currentA: -12.5,
      chargeAh: -43.21,
      socPercent: 81.2,
    });
  });
  it('gives null for a field that is absent or not a plain integer (--- while unknown)', () => {
    expect(
      decodeVeDirectBatteryBlock(
        new Map([
          ['I', '---'],
          ['V', '1.5'],
        ]),
      ),
    ).toMatchObject({
      currentA: null,
      voltageV: null,
      chargeAh: null,
    });
  });
});

describe('VeDirectCurrentSource', () => {
  it('one sample per main block, positive = charging, with the monitor voltage and its charge counter', async () => {
    const h = setUp();
    await h.send(mainBlock('-42000'));
    await h.send(mainBlock('7500'));
    expect(h.current.map((s) => [s.currentA, s.quality])).toEqual([
      [-42, 'good'],
      [7.5, 'good'],
    ]);
    expect(h.volts.map((s) => s.voltageV)).toEqual([52.41, 52.41]);
    expect(h.charge.map((s) => s.chargeAh)).toEqual([-1.5, -1.5]);
    expect(h.source.counters()).toEqual({ samples: 2, dropped: 0 });
  });

  it('never makes a current of a corrupted block: dropped and counted, the next one used', async () => {
    const h = setUp();
    const corrupted = mainBlock('-42000');
    corrupted[corrupted.indexOf(0x34)] = 0x39; // the 4 of -42000 becomes a 9: -92000 with a wrong checksum
    await h.send(corrupted);
    await h.send(mainBlock('-41000'));
    expect(h.current.map((s) => s.currentA)).toEqual([-41]);
    expect(h.source.counters()).toEqual({ samples: 1, dropped: 1 });
    expect(h.source.parserCounters()).toMatchObject({ checksumErrors: 1, blocks: 1 });
  });

  it('a main block whose current is unknown gives no sample and counts a drop; a history block neither', async () => {
    const h = setUp();
    await h.send(mainBlock('---'));
    await h.send(
      encodeVeDirectBlock([
        ['H1', '-102345'],
        ['H2', '-43210'],
      ]),
    );
    expect(h.current).toEqual([]);
    expect(h.source.counters()).toEqual({ samples: 0, dropped: 1 });
  });

  it('refuses a link that is not a ByteLink', async () => {
    await expectInvalidArgument(
      () => new VeDirectCurrentSource({ link: {} as never, clock: new ManualClock() }),
      'options.link',
    );
  });
});

describe('EmulatedVeDirectMonitor → VeDirectCurrentSource', () => {
  it('the source reads the current the emulated SmartShunt measures, once a second, and its consumed Ah', async () => {
    const clock = new ManualClock();
    const { a: shuntEnd, b: port } = createMemoryLinkPair({ clock });
    const battery = { currentA: -20, voltageV: 52.3 };
    const monitor = new EmulatedVeDirectMonitor({ link: shuntEnd, clock, battery: () => battery });
    const source = new VeDirectCurrentSource({ link: port, clock });
    const current: CurrentSample[] = [];
    const charge: ChargeSample[] = [];
    source.current$.subscribe((s) => current.push(s));
    source.chargeAh$.subscribe((s) => charge.push(s));
    await clock.advanceByMs(3600);
    battery.currentA = 10;
    await clock.advanceByMs(1000);
    monitor.stop();
    expect(current.map((s) => s.currentA)).toEqual([-20, -20, -20, 10]);
    // -20 A for 2 s then the step: -20·2/3600 + (-20 + 10)/2·1/3600 Ah, in whole mAh.
    expect(charge.at(-1)?.chargeAh).toBeCloseTo(Math.round(((-20 * 2) / 3600 - 5 / 3600) * 1000) / 1000, 9);
  });
});
