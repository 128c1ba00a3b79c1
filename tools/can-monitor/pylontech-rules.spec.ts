import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { PylontechFrameId, pylontechFrames } from '@tsbms/inverter-can';
import { formatEntry } from './monitor';
import { pylontechProfile } from './pylontech-rules';
import {
  chargingSnapshot,
  describeLines,
  faultedSnapshot,
  lastFlags,
  pylontechIdentity,
  recordingLines,
  summarise,
} from './testing/recordings';

const frame = (idAndData: string) => `(1700000000.000000) can0 ${idAndData}`;
const flagsOf = (...idsAndData: string[]) => lastFlags(pylontechProfile, ...idsAndData.map(frame));
const inverterReply = { id: PylontechFrameId.INVERTER_REPLY, data: new Uint8Array(8) };

describe('Pylontech profile on what the publisher sends', () => {
  // 6 s charging, then 6 s faulted, with the inverter's reply after each burst.
  const lines = recordingLines(
    (tick) => [
      ...pylontechFrames(tick < 6 ? chargingSnapshot : faultedSnapshot, pylontechIdentity),
      inverterReply,
    ],
    12,
  );
  const entries = describeLines(pylontechProfile, lines);

  it('decodes every frame without a flag, and the schedule without a finding', () => {
    expect(entries).toHaveLength(12 * 7);
    expect(entries.filter((e) => e.flags.length > 0)).toEqual([]);
    expect(summarise(pylontechProfile, lines).scheduleFindings()).toEqual([]);
  });

  it('expects every second the six ids pylontechFrames sends', () => {
    const sent = pylontechFrames(chargingSnapshot, pylontechIdentity).map((f) => f.id);
    const numerically = (a: number, b: number) => a - b;
    expect(sent.sort(numerically)).toEqual([...pylontechProfile.schedule.everySecondIds].sort(numerically));
  });

  it('shows protection and alarm bits, module count, request flags and the inverter keep-alive', () => {
    const second = (s: number) =>
      entries.filter((e) => Math.floor(e.timestampS) === 1_700_000_000 + s).map((e) => `${e.id} ${e.text}`);
    expect(second(0)).toEqual([
      '0x359 protection: none; alarms: none; 4 modules "PN"',
      '0x351 limits: CVL 49.2 V, CCL 100.0 A, DCL 120.0 A, DVL 43.2 V',
      '0x355 SoC 80 %, SoH 100 %',
      '0x356 battery 47.83 V, -12.3 A, 21.4 °C',
      '0x35C requests: chargeEnable, dischargeEnable',
      '0x35E manufacturer "PYLON"',
      '0x305 inverter keep-alive',
    ]);
    expect(second(6).slice(0, 2)).toEqual([
      '0x359 protection: overVoltage; alarms: highVoltage; 4 modules "PN"',
      '0x351 limits: CVL 48.0 V, CCL 0.0 A, DCL 0.0 A, DVL 43.2 V',
    ]);
    expect(second(6)[4]).toBe('0x35C requests: none');
  });
});

describe('Pylontech profile on the published US5000 capture (pylontech-can.md §7)', () => {
  const lines = readFileSync(path.join(__dirname, 'fixtures', 'pylontech-us5000.log'), 'utf8').split('\n');

  it('decodes it as captured; the real battery breaks P-1 only, with its short frames', () => {
    expect(describeLines(pylontechProfile, lines).map(formatEntry)).toEqual([
      '1700000100.000000 can0 0x359 protection: none; alarms: none; 6 modules "PN"  !! P-1: length 7, expected 8',
      '1700000100.000200 can0 0x351 limits: CVL 53.2 V, CCL 480.0 A, DCL 480.0 A, DVL 45.0 V',
      '1700000100.000400 can0 0x355 SoC 88 %, SoH 94 %  !! P-1: length 4, expected 8',
      '1700000100.000600 can0 0x356 battery 49.86 V, -27.0 A, 36.3 °C  !! P-1: length 6, expected 8',
      '1700000100.000800 can0 0x35C requests: chargeEnable, dischargeEnable  !! P-1: length 2, expected 8',
      '1700000100.001000 can0 0x35E manufacturer "PYLON"',
      '1700000100.500000 can0 0x305 inverter keep-alive',
    ]);
  });
});

// Each rule: a frame breaking it is flagged with its id, the frame keeping it is not.
describe('Pylontech rules on single frames', () => {
  it('P-1: a frame of other than 8 bytes, or a remote request', () => {
    expect(flagsOf('355#58005E00')).toEqual(['P-1: length 4, expected 8']);
    expect(flagsOf('351#R')).toEqual(['P-1: remote request, expected a data frame of 8 bytes']);
    expect(flagsOf('355#58005E0000000000')).toEqual([]);
  });

  it('P-1: a name padded with 0x00 instead of spaces', () => {
    expect(flagsOf('35E#50594C4F4E000000')).toEqual(['P-1: padded with 0x00, expected spaces']);
    expect(flagsOf('35E#50594C4F4E202020')).toEqual([]);
  });

  it('P-2: a high-resolution SoC in 0x355 bytes 4-7', () => {
    expect(flagsOf('355#500064005A1F0000')).toEqual([
      'P-2: 0x355 bytes 4-7 are not 0: the protocol has no high-resolution SoC',
    ]);
    expect(flagsOf('355#5000640000000000')).toEqual([]);
  });

  it('P-3: CVL 0 on the wire, or a negative CCL or DCL', () => {
    expect(flagsOf('351#0000E803E803B001')).toEqual(['P-3: CVL 0 V on the wire']);
    expect(flagsOf('351#EC0118FCE803B001')).toEqual(['P-3: CCL -100 A is negative']);
    expect(flagsOf('351#EC01E80318FCB001')).toEqual(['P-3: DCL -100 A is negative']);
    expect(flagsOf('351#EC01E803E803B001')).toEqual([]);
  });

  it('P-4: 0x359 without "PN", and the 0x35A/0x35F of newer firmware', () => {
    // The JK-BMS log of pylontech-can.md §7.
    expect(flagsOf('359#0000000003000000')).toEqual(['P-4: 0x359 bytes 5-6 are "", expected "PN"']);
    expect(flagsOf('359#0000000003504E00')).toEqual([]);
    expect(flagsOf('35A#A8828202A8828202')).toEqual([
      'P-4: 0x35A is a frame of newer Pylontech firmware; this profile sends 0x359 and 0x35C',
    ]);
  });

  it('P-5: each enable flag of 0x35C agrees with the limit of the 0x351 before it', () => {
    const charging = '351#EC01E803E803B001';
    const noCharge = '351#EC010000E803B001';
    const noDischarge = '351#EC01E8030000B001';
    expect(flagsOf(noCharge, '35C#C000000000000000')).toEqual([
      'P-5: charge enable set while the last CCL is 0 A',
    ]);
    expect(flagsOf(noCharge, '35C#4000000000000000')).toEqual([]);
    expect(flagsOf(noDischarge, '35C#C000000000000000')).toEqual([
      'P-5: discharge enable set while the last DCL is 0 A',
    ]);
    expect(flagsOf(noDischarge, '35C#8000000000000000')).toEqual([]);
    expect(flagsOf(charging, '35C#0000000000000000')).toEqual([
      'P-5: charge enable clear while the last CCL is 100 A',
      'P-5: discharge enable clear while the last DCL is 100 A',
    ]);
    expect(flagsOf(charging, '35C#C000000000000000')).toEqual([]);
    // Nothing to compare with before the first 0x351.
    expect(flagsOf('35C#0000000000000000')).toEqual([]);
  });

  it('P-6: force charge I or II, or full charge, requested', () => {
    expect(flagsOf('35C#F8')).toContain(
      'P-6: forceChargeI, forceChargeII, fullCharge set: the inverter would charge outside our limits',
    );
    expect(flagsOf('35C#E000000000000000')).toEqual([
      'P-6: forceChargeI set: the inverter would charge outside our limits',
    ]);
    expect(flagsOf('35C#C000000000000000')).toEqual([]);
  });

  it('§1, §2: an extended id or one the protocol does not have; the inverter frames are not flagged', () => {
    expect(flagsOf('18FF50E5#0102030405060708')).toEqual([
      '§1: extended (29-bit) id; the protocol has 11-bit ids only',
    ]);
    expect(flagsOf('372#0400FFFFFFFF0000')).toEqual(['§2: unknown id, not a frame of the protocol']);
    const inverter = describeLines(pylontechProfile, [frame('305#2A000000'), frame('307#1234567856494300')]);
    expect(inverter.map((e) => [e.text, e.flags, e.fromInverter])).toEqual([
      ['inverter keep-alive', [], true],
      ['inverter identity (VIC)', [], true],
    ]);
  });
});
