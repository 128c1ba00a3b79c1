import { framesForTick } from '@tsbms/inverter-can';
import {
  chargingSnapshot,
  describeLines,
  faultedSnapshot,
  lastFlags,
  recordingLines,
  summarise,
  victronIdentity,
} from './testing/recordings';
import { victronProfile } from './victron-rules';

/** One frame at a fixed time: `frame('351#EC01E803E803B001')`. */
const frame = (idAndData: string) => `(1700000000.000000) can0 ${idAndData}`;
const flagsOf = (idAndData: string) => lastFlags(victronProfile, frame(idAndData));

describe('Victron profile on what the publisher sends', () => {
  // 6 s charging, then 6 s faulted: every frame of framesForTick, the 5 s and 10 s ones included.
  const lines = recordingLines(
    (tick) => framesForTick(tick, tick < 6 ? chargingSnapshot : faultedSnapshot, victronIdentity),
    12,
  );

  it('decodes every frame without a flag, and the schedule without a finding', () => {
    const entries = describeLines(victronProfile, lines);
    expect(new Set(entries.map((e) => e.id))).toEqual(
      new Set(
        [
          '351',
          '355',
          '356',
          '35A',
          '35E',
          '35F',
          '370',
          '371',
          '372',
          '373',
          '374',
          '375',
          '376',
          '377',
          '378',
          '379',
          '380',
          '381',
          '382',
        ].map((id) => `0x${id}`),
      ),
    );
    expect(entries.filter((e) => e.flags.length > 0)).toEqual([]);
    expect(summarise(victronProfile, lines).scheduleFindings()).toEqual([]);
  });

  it('expects every second the ids framesForTick sends every second, and every 5 s the ones it always sends then', () => {
    const idsAt = (tick: number, identity = victronIdentity) =>
      framesForTick(tick, chargingSnapshot, identity).map((f) => f.id);
    const { everySecondIds, slowIds } = victronProfile.schedule;
    expect(idsAt(1)).toEqual(everySecondIds);
    // Without the optional identity texts, cell ids and energy, tick 0 sends exactly both sets.
    const bare = framesForTick(
      0,
      {
        ...chargingSnapshot,
        lowestCellId: null,
        highestCellId: null,
        lowestTemperatureId: null,
        highestTemperatureId: null,
        energyChargedKWh: null,
        energyDischargedKWh: null,
      },
      { ...victronIdentity, batteryName: undefined, serialNumber: undefined, productFamily: undefined },
    ).map((f) => f.id);
    expect(bare).toEqual([...everySecondIds, ...(slowIds?.ids ?? [])]);
  });

  it('shows the readable text of the fault', () => {
    const texts = describeLines(victronProfile, lines)
      .filter((e) => e.timestampS >= 1_700_000_006 && e.timestampS < 1_700_000_007)
      .map((e) => `${e.id} ${e.text}`);
    expect(texts.slice(0, 4)).toEqual([
      '0x351 limits: CVL 48.0 V, CCL 0.0 A, DCL 0.0 A, DVL 43.2 V',
      '0x355 SoC 80 % (80.26 %), SoH 100 %',
      '0x356 battery 49.63 V, -12.3 A, 21.4 °C',
      '0x35A alarms: highVoltage ALARM, cellImbalance WARNING (4 items supported), system OFFLINE',
    ]);
  });
});

// Each rule: a frame breaking it is flagged with its id, the frame keeping it is not. The clean
// frames are the tsBMS vectors of victron-can-bms.md §8.
describe('Victron rules on single frames', () => {
  it('V-1: an extended id, or one at or above 0x400 that a Cerbo GX Mk1 folds onto 0x351', () => {
    expect(flagsOf('18FF50E5#EC01E803E803B001')).toEqual(['V-1: extended (29-bit) id: Venus ignores it']);
    expect(flagsOf('751#EC01E803E803B001')).toEqual([
      'V-1: id at or above 0x400: a Cerbo GX Mk1 reads it as 0x351',
    ]);
    expect(flagsOf('351#EC01E803E803B001')).toEqual([]);
  });

  it('V-2: a frame of other than 8 bytes, or a remote request', () => {
    expect(flagsOf('356#AF1285FFD600')).toEqual(['V-2: length 6, expected 8']);
    expect(flagsOf('351#R')).toEqual(['V-2: remote request, expected a data frame of 8 bytes']);
    expect(flagsOf('356#AF1285FFD6000000')).toEqual([]);
  });

  it('V-2: a name padded with spaces, bytes after its 0x00, or characters that are not printable', () => {
    expect(flagsOf('35E#7473424D53202020')).toEqual(['V-2: padded with spaces, expected 0x00']);
    expect(flagsOf('35E#7473424D53004100')).toEqual(['V-2: bytes after the first 0x00 are not 0x00']);
    expect(flagsOf('374#4D3343320A000000')).toEqual(['V-2: not printable ASCII']);
    expect(flagsOf('35E#7473424D53000000')).toEqual([]);
    expect(flagsOf('374#4D33433200000000')).toEqual([]);
  });

  it('V-7: CVL 0 on the wire, or below the DVL (the floor Ns × low cell setpoint)', () => {
    expect(flagsOf('351#0000E803E803B001')).toEqual(['V-7: CVL 0 V on the wire']);
    expect(flagsOf('351#A401E803E803B001')).toEqual([
      'V-7: CVL 42 V below the DVL 43.2 V, the floor Ns × low cell setpoint',
    ]);
    expect(flagsOf('351#E9010000E803B001')).toEqual([]);
  });

  it('V-8: a negative CCL or DCL', () => {
    expect(flagsOf('351#EC0118FCE803B001')).toEqual(['V-8: CCL -100 A is negative']);
    expect(flagsOf('351#EC01E803FFFFB001')).toEqual(['V-8: DCL -0.1 A is negative']);
    expect(flagsOf('351#EC01E8030000B001')).toEqual([]);
  });

  it('V-9: a 0x35A pair of 3, or a reserved bit set', () => {
    expect(flagsOf('35A#AB828202A882820A')).toEqual([
      'V-9: byte 0 bits 0-1 are 3; a pair is 0, 1 (active) or 2 (OK)',
    ]);
    expect(flagsOf('35A#A8828206A882828A')).toEqual([
      'V-9: reserved bits 0x04 set in byte 3',
      'V-9: reserved bits 0x80 set in byte 7',
    ]);
    expect(flagsOf('35A#A8828202A882820A')).toEqual([]);
  });

  it('V-11: a 0x35E or 0x382 name that starts with a brand Venus rewrites the limits for, in any case', () => {
    expect(flagsOf('35E#50594C4F4E000000')).toEqual([
      'V-11: 0x35E "PYLON" starts with PYLON: Venus rewrites that brand\'s limits',
    ]);
    expect(flagsOf('382#6279642D4C560000')).toEqual([
      'V-11: 0x382 "byd-LV" starts with BYD: Venus rewrites that brand\'s limits',
    ]);
    // BYD's own product family (victron-can-bms.md §8) names no brand.
    expect(flagsOf('382#5052454D49554D00')).toEqual([]);
    expect(flagsOf('35E#7473424D53000000')).toEqual([]);
  });

  it('V-12: the Pylontech frames 0x359 and 0x35C, and 0x35B and 0x360', () => {
    expect(flagsOf('359#0000000004504E00')).toEqual([
      'V-12: 0x359 is a Pylontech frame; a Victron GX must not get it',
    ]);
    expect(flagsOf('35C#C000000000000000')).toEqual([
      'V-12: 0x35C is a Pylontech frame; a Victron GX must not get it',
    ]);
    expect(flagsOf('35B#0000000000000000')).toEqual(['V-12: 0x35B must not be sent to a Victron GX']);
    expect(flagsOf('360#0000000000000000')).toEqual(['V-12: 0x360 must not be sent to a Victron GX']);
  });

  it('V-13: a high-resolution SoC in other units than 0.01 %', () => {
    // pyBMS's 0.1 % units: 80.2 % sent as 802.
    expect(flagsOf('355#5000640022030000')).toEqual([
      'V-13: high-resolution SoC 8.02 % disagrees with SoC 80 %; it is in 0.01 %',
    ]);
    expect(flagsOf('355#500064005A1F0000')).toEqual([]);
  });

  it("§2: an id the protocol does not have; the GX's own frames are not flagged", () => {
    expect(flagsOf('123#DEADBEEF')).toEqual(['§2: unknown id, not a frame of the protocol']);
    const gx = describeLines(victronProfile, [frame('305#0000000000000000'), frame('307#1234567856494300')]);
    expect(gx.map((e) => [e.text, e.flags, e.fromInverter])).toEqual([
      ['GX keep-alive', [], true],
      ['GX identity (VIC)', [], true],
    ]);
  });
});
