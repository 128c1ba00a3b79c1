import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { formatEntry } from './monitor';
import { describeLines, summarise } from './testing/recordings';
import { victronProfile } from './victron-rules';

const fixture = (name: string) => readFileSync(path.join(__dirname, 'fixtures', name), 'utf8').split('\n');

describe('can-monitor on a recording of the controller on vcan0 (tools/with-vcan)', () => {
  const entries = describeLines(victronProfile, fixture('tsbms-vcan0.log'));

  it('decodes every frame of the controller, with no flags', () => {
    expect(entries).toHaveLength(41);
    expect(entries.filter((e) => e.flags.length > 0)).toEqual([]);
    expect(entries.slice(0, 14).map(formatEntry)).toEqual([
      '1795472230.116757 vcan0 0x305 GX keep-alive',
      '1795472230.409500 vcan0 0x351 limits: CVL 71.3 V, CCL 0.0 A, DCL 0.0 A, DVL 64.8 V',
      '1795472230.409839 vcan0 0x355 SoC 68 % (68.03 %), SoH 100 %',
      '1795472230.409932 vcan0 0x356 battery 71.31 V, 0.0 A, 25.0 °C',
      '1795472230.410016 vcan0 0x35A alarms: none (6 items supported), system OFFLINE',
      '1795472230.410099 vcan0 0x35E manufacturer "tsBMS"',
      '1795472230.410180 vcan0 0x35F model 0, firmware 0.1, online capacity 128 Ah',
      '1795472230.410263 vcan0 0x372 modules: 3 online, 0 offline, blocking charge n/a, blocking discharge n/a',
      '1795472230.410348 vcan0 0x373 cells 3.950 V .. 3.980 V, temperatures 25 °C .. 25 °C',
      '1795472230.410431 vcan0 0x374 lowestCellId "M1C1"',
      '1795472230.410519 vcan0 0x375 highestCellId "M1C4"',
      '1795472230.410603 vcan0 0x376 lowestTemperatureId "M1T1"',
      '1795472230.410686 vcan0 0x377 highestTemperatureId "M1T1"',
      '1795472230.410768 vcan0 0x379 installed capacity 128 Ah',
    ]);
  });

  it('summarises counts and the longest gap per id, and finds the fast frames 1.54 s apart once (V-4)', () => {
    const summary = summarise(victronProfile, fixture('tsbms-vcan0.log'));
    const rows = new Map(summary.rows().map((r) => [r.id, r]));
    expect(rows.get('0x351')).toMatchObject({ count: 6, flagged: 0 });
    expect(rows.get('0x351')?.maxGapS).toBeCloseTo(1795472233.171 - 1795472231.634, 2);
    expect(rows.get('0x379')).toMatchObject({ count: 1, maxGapS: 0 });
    expect(summary.format()[0]).toBe('id         frames  max gap s  flagged');
    // The controller under user-mode Linux missed a tick: every fast id, no slow one missing.
    expect(summary.scheduleFindings()).toEqual([
      'V-4: 0x351 gap of 1.538 s up to 1795472233.171143, more than 1.2 s',
      'V-4: 0x355 gap of 1.538 s up to 1795472233.171852, more than 1.2 s',
      'V-4: 0x356 gap of 1.540 s up to 1795472233.173887, more than 1.2 s',
      'V-4: 0x35A gap of 1.548 s up to 1795472233.200763, more than 1.2 s',
    ]);
  });
});

describe('can-monitor on odd frames', () => {
  const entries = describeLines(victronProfile, fixture('odd-frames.log'));

  it('decodes the Victron example and the short Pytes 0x356, and flags what is wrong with its rule id', () => {
    expect(entries.map((e) => [e.id, e.text, e.flags])).toEqual([
      ['0x351', 'limits: CVL 58.1 V, CCL 110.0 A, DCL 110.0 A, DVL 0.0 V', []],
      ['0x356', 'battery 52.62 V, -0.7 A, 18.0 °C', ['V-2: length 6, expected 8']],
      ['0x35A', 'alarms: lowVoltage ALARM (1 items supported), system n/a', []],
      ['0x307', 'GX identity (VIC)', []],
      ['0x123', '[DE AD BE EF]', ['§2: unknown id, not a frame of the protocol']],
      ['0x18FF50E5', '[01 02 03 04 05 06 07 08]', ['V-1: extended (29-bit) id: Venus ignores it']],
      ['0x35E', 'manufacturer "PF"', ['V-2: length 2, expected 8']],
      ['0x351', 'limits: CVL 58.1 V, CCL 110.0 A, DCL 110.0 A, DVL 0.0 V', []],
    ]);
  });
});
