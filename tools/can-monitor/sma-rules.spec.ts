import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { smaFrames } from '@tsbms/inverter-can';
import { formatEntry } from './monitor';
import { smaProfile } from './sma-rules';
import {
  chargingSnapshot,
  describeLines,
  faultedSnapshot,
  lastFlags,
  recordingLines,
  smaIdentity,
  summarise,
} from './testing/recordings';

const frame = (idAndData: string) => `(1700000000.000000) can0 ${idAndData}`;
const flagsOf = (...idsAndData: string[]) => lastFlags(smaProfile, ...idsAndData.map(frame));

describe('SMA Sunny Island profile on what the publisher sends', () => {
  // 6 s charging, then 6 s faulted: CCL 0 with CVL held at the pack voltage (S-10).
  const lines = recordingLines(
    (tick) => smaFrames(tick < 6 ? chargingSnapshot : faultedSnapshot, smaIdentity),
    12,
  );
  const entries = describeLines(smaProfile, lines);

  it('decodes every frame without a flag, and the schedule without a finding', () => {
    expect(entries).toHaveLength(12 * 6);
    expect(entries.filter((e) => e.flags.length > 0)).toEqual([]);
    expect(summarise(smaProfile, lines).scheduleFindings()).toEqual([]);
  });

  it('expects every second the six ids smaFrames sends', () => {
    expect(smaFrames(chargingSnapshot, smaIdentity).map((f) => f.id)).toEqual(
      smaProfile.schedule.everySecondIds,
    );
  });

  it('shows the fault, 0x35F, and the invalid markers as n/a', () => {
    const second = (s: number) =>
      entries.filter((e) => Math.floor(e.timestampS) === 1_700_000_000 + s).map((e) => `${e.id} ${e.text}`);
    expect(second(6)).toEqual([
      '0x351 limits: CVL 49.7 V, CCL 0.0 A, DCL 0.0 A, DVL 43.2 V',
      '0x355 SoC 80 % (80.26 %), SoH 100 %',
      '0x356 battery 49.63 V, -12.3 A, 21.4 °C',
      '0x35A alarms: highVoltage ALARM, cellImbalance WARNING (4 items supported)',
      '0x35E manufacturer "tsBMS"',
      '0x35F battery type n/a, BMS version 0x0001, capacity 257 Ah, manufacturer id n/a',
    ]);
  });
});

describe('SMA Sunny Island profile on the published vectors (sma-sunny-island-can.md §6)', () => {
  const lines = readFileSync(path.join(__dirname, 'fixtures', 'sma-published-vectors.log'), 'utf8').split(
    '\n',
  );

  it("decodes the SMA TI's defaults and SMAVenusDriver's frames; its short 0x356 breaks S-2", () => {
    expect(describeLines(smaProfile, lines).map(formatEntry)).toEqual([
      '1700000200.000000 can0 0x351 limits: CVL 54.0 V, CCL 0.0 A, DCL 0.0 A, DVL 41.0 V',
      '1700000200.000200 can0 0x355 SoC 0 % (0.00 %), SoH 100 %',
      '1700000200.000400 can0 0x356 battery 0.00 V, 0.0 A, 25.0 °C',
      '1700000201.000000 can0 0x356 battery 0.00 V, 0.0 A, 24.0 °C  !! S-2: length 6, expected 8',
      '1700000201.000200 can0 0x35A alarms: none (0 items supported)',
      '1700000201.000400 can0 0x35E manufacturer "BATRIUM"',
      '1700000201.000600 can0 0x35F battery type 0x0403, BMS version 0x040A, capacity 630 Ah, manufacturer id 0x0000',
    ]);
  });
});

// Each rule: a frame breaking it is flagged with its id, the frame keeping it is not. The clean
// frames are the tsBMS vectors of sma-sunny-island-can.md §6.
describe('SMA Sunny Island rules on single frames', () => {
  it("S-1: any id but the six, an extended id among them; the Sunny Island's own frames are not flagged", () => {
    expect(flagsOf('370#7473424D53000000')).toEqual(['S-1: 0x370 is not one of the six ids SMA allows']);
    expect(flagsOf('35B#0000000000000000')).toEqual(['S-1: 0x35B is not one of the six ids SMA allows']);
    expect(flagsOf('00F#')).toEqual(['S-1: 0x00F is not one of the six ids SMA allows']);
    expect(flagsOf('18FF50E5#0102030405060708')).toEqual([
      'S-1: extended (29-bit) id; SMA allows the six 11-bit ids only',
    ]);
    expect(flagsOf('35E#7473424D53202020')).toEqual([]);
    const sunnyIsland = describeLines(smaProfile, [
      frame('305#1E02E8031F00FA00'),
      frame('30A#0000000000000000'),
    ]);
    expect(sunnyIsland.map((e) => [e.text, e.flags, e.fromInverter])).toEqual([
      ['Sunny Island frame', [], true],
      ['Sunny Island frame', [], true],
    ]);
  });

  it('S-2: a frame of other than 8 bytes, or unused bytes 6-7 of 0x355/0x356 other than FF FF', () => {
    expect(flagsOf('356#AF1285FFD600')).toEqual(['S-2: length 6, expected 8']);
    expect(flagsOf('356#AF1285FFD6000000')).toEqual([
      'S-2: 0x356 bytes 6-7 are not FF FF, the "invalid" marker of unused fields',
    ]);
    expect(flagsOf('355#500064005A1F0000')).toEqual([
      'S-2: 0x355 bytes 6-7 are not FF FF, the "invalid" marker of unused fields',
    ]);
    expect(flagsOf('356#AF1285FFD600FFFF')).toEqual([]);
    expect(flagsOf('355#500064005A1FFFFF')).toEqual([]);
  });

  it('S-3: a value outside the range the Sunny Island accepts; an invalid marker is not a value', () => {
    const dropped = (field: string, value: number, range: string) =>
      `S-3: ${field} ${value} outside ${range}: the Sunny Island drops it without notice`;
    expect(flagsOf('351#9001E803E803B001')).toEqual([dropped('chargeVoltageLimitV', 40, '41..63')]);
    expect(flagsOf('351#7702E803E803B001')).toEqual([dropped('chargeVoltageLimitV', 63.1, '41..63')]);
    expect(flagsOf('351#EC01E12EE803B001')).toEqual([dropped('chargeCurrentLimitA', 1200.1, '0..1200')]);
    expect(flagsOf('351#EC01E80318FCB001')).toEqual([dropped('dischargeCurrentLimitA', -100, '0..1200')]);
    expect(flagsOf('351#EC01E803E803E101')).toEqual([dropped('dischargeVoltageLimitV', 48.1, '41..48')]);
    expect(flagsOf('355#650064001127FFFF')).toEqual([
      dropped('stateOfChargePercent', 101, '0..100'),
      dropped('stateOfChargeHighResPercent', 100.01, '0..100'),
    ]);
    expect(flagsOf('351#FFFFE803E803B001')).toEqual([]);
    expect(flagsOf('351#EC01E803E803B001')).toEqual([]);
    expect(flagsOf('351#7602E02EE02EE001')).toEqual([]);
  });

  it('S-4: no HiResSOC, as the invalid marker or beyond a short frame, or one that disagrees with SOC', () => {
    expect(flagsOf('355#50006400FFFFFFFF')).toEqual(['S-4: no HiResSOC; it is always sent']);
    expect(flagsOf('355#50006400')).toEqual([
      'S-2: length 4, expected 8',
      'S-4: no HiResSOC; it is always sent',
    ]);
    // HiResSOC 8.02 % in SimpBMS's 0.1 % units, or 0 % next to SOC 80 %: the Sunny Island takes it.
    expect(flagsOf('355#500064002203FFFF')).toEqual([
      'S-4: high-resolution SoC 8.02 % disagrees with SoC 80 %; it is in 0.01 %',
    ]);
    expect(flagsOf('355#500064000000FFFF')).toEqual([
      'S-4: high-resolution SoC 0 % disagrees with SoC 80 %; it is in 0.01 %',
    ]);
    expect(flagsOf('355#500064005A1FFFFF')).toEqual([]);
  });

  it("S-5: a 0x35A pair of 3, or a reserved pair set: Victron's system status among them", () => {
    expect(flagsOf('35A#A8828202A882820A')).toEqual(['S-5: reserved bits 0x08 set in byte 7']);
    expect(flagsOf('35A#A8828203A8828202')).toEqual([
      'S-5: byte 3 bits 0-1 are 3; a pair is 0, 1 (active) or 2 (OK)',
    ]);
    expect(flagsOf('35A#A8828202A8828202')).toEqual([]);
    expect(flagsOf('35A#A4828202A4828202')).toEqual([]);
  });

  it('S-7: a name padded with 0x00, or not printable ASCII', () => {
    expect(flagsOf('35E#7473424D53000000')).toEqual(['S-7: padded with 0x00, expected spaces']);
    expect(flagsOf('35E#7473424D53092020')).toEqual(['S-7: not printable ASCII']);
    expect(flagsOf('35E#4241545249554D20')).toEqual([]);
  });

  it('S-10: the battery above the CVL of the 0x351 before it, while its CCL is 0', () => {
    const battery = '356#631385FFD600FFFF'; // 49.63 V
    expect(flagsOf('351#EC010000E803B001', battery)).toEqual([
      'S-10: battery 49.63 V above the CVL 49.2 V of the last 0x351 with CCL 0: the Sunny Island discharges ignoring the DCL',
    ]);
    // Held at the pack voltage, as smaAcceptedLimits does; or charging still allowed.
    expect(flagsOf('351#F1010000E803B001', battery)).toEqual([]);
    expect(flagsOf('351#EC01E803E803B001', battery)).toEqual([]);
  });
});
