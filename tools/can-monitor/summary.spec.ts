import type { CanFrame } from '@tsbms/hal';
import {
  framesForTick,
  PylontechFrameId,
  pylontechFrames,
  smaFrames,
  VictronFrameId,
} from '@tsbms/inverter-can';
import type { InverterProfile } from './monitor';
import { pylontechProfile } from './pylontech-rules';
import { smaProfile } from './sma-rules';
import {
  chargingSnapshot,
  pylontechIdentity,
  recordingLines,
  smaIdentity,
  summarise,
  victronIdentity,
} from './testing/recordings';
import { victronProfile } from './victron-rules';

const victronTick = (tick: number) => framesForTick(tick, chargingSnapshot, victronIdentity);
const pylontechBurst = () => pylontechFrames(chargingSnapshot, pylontechIdentity);
const smaBurst = () => smaFrames(chargingSnapshot, smaIdentity);

describe('schedule findings', () => {
  it('an every-second id never seen (V-5, P-8, S-9)', () => {
    const without = (id: number) => (frame: { id: number }) => frame.id !== id;
    const findings = (profile: InverterProfile, lines: string[]) =>
      summarise(profile, lines).scheduleFindings();
    expect(
      findings(
        victronProfile,
        recordingLines((t) => victronTick(t).filter(without(VictronFrameId.ALARMS)), 3),
      ),
    ).toEqual(['V-5: 0x35A never seen; it is sent every second']);
    expect(
      findings(
        pylontechProfile,
        recordingLines(() => pylontechBurst().filter(without(PylontechFrameId.MANUFACTURER)), 3),
      ),
    ).toEqual(['P-8: 0x35E never seen; it is sent every second']);
    expect(
      findings(
        smaProfile,
        recordingLines(() => smaBurst().slice(1), 3),
      ),
    ).toEqual(['S-9: 0x351 never seen; it is sent every second']);
  });

  it('a gap of more than 1.2 s between two frames of an every-second id, not one of 1.2 s (V-4, P-8, S-9)', () => {
    const findings = (profile: InverterProfile, burst: (tick: number) => CanFrame[], periodS: number) =>
      summarise(profile, recordingLines(burst, 4, periodS)).scheduleFindings();
    expect(findings(victronProfile, victronTick, 1.2)).toEqual([]);
    expect(findings(victronProfile, victronTick, 1.25)).toContain(
      'V-4: 0x351 gap of 1.250 s up to 1700000001.250000, more than 1.2 s',
    );
    expect(findings(pylontechProfile, pylontechBurst, 1.2)).toEqual([]);
    expect(findings(pylontechProfile, pylontechBurst, 1.25)).toContain(
      'P-8: 0x359 gap of 1.250 s up to 1700000001.250000, more than 1.2 s',
    );
    expect(findings(smaProfile, smaBurst, 1.2)).toEqual([]);
    expect(findings(smaProfile, smaBurst, 1.25)).toHaveLength(6);
  });

  it('the longest gap of a recording that misses two seconds, with when it ended', () => {
    const lines = recordingLines(pylontechBurst, 8).filter((line) => !/^\(170000000[34]\./.test(line));
    expect(summarise(pylontechProfile, lines).scheduleFindings()).toContain(
      'P-8: 0x351 gap of 3.000 s up to 1700000005.000100, more than 1.2 s',
    );
  });

  it('SMA: an id sent again within less than 200 ms, not one 200 ms apart (S-9)', () => {
    expect(summarise(smaProfile, recordingLines(smaBurst, 10, 0.2)).scheduleFindings()).toEqual([]);
    const tooFast = summarise(smaProfile, recordingLines(smaBurst, 10, 0.19)).scheduleFindings();
    expect(tooFast).toHaveLength(6);
    expect(tooFast[0]).toBe('S-9: 0x351 twice within 0.190 s, less than 0.2 s apart');
    // Victron and Pylontech set no such limit.
    expect(summarise(pylontechProfile, recordingLines(pylontechBurst, 10, 0.19)).scheduleFindings()).toEqual(
      [],
    );
  });

  it("Victron: more than 200 of the battery's frames in 10 s, not the GX's (V-4)", () => {
    const tenTimesASecond = recordingLines((t) => victronTick(t + 1), 110, 0.1);
    // Ticks 1-100 in the first 10 s: 4 × 100 every-second frames, 10 × 20 at the 5 s ticks, 5 × 10
    // at the 10 s ticks; and the 0x351 of tick 101, at 10 s exactly.
    expect(summarise(victronProfile, tenTimesASecond).scheduleFindings()).toEqual([
      'V-4: 651 battery frames within 10 s from 1700000000.000000, more than 200',
    ]);
    const keepAlives = recordingLines(
      () => [{ id: VictronFrameId.GX_KEEP_ALIVE, data: new Uint8Array(8) }],
      300,
      0.01,
    );
    const withGx = [...recordingLines((t) => victronTick(t + 1), 4), ...keepAlives].sort();
    expect(summarise(victronProfile, withGx).scheduleFindings()).toEqual([]);
  });

  it('Victron: a 5 s id never seen, once the recording is long enough to hold it (V-5)', () => {
    const noInstalledCapacity = (t: number) =>
      victronTick(t).filter((f) => f.id !== VictronFrameId.INSTALLED_CAPACITY);
    expect(summarise(victronProfile, recordingLines(noInstalledCapacity, 7)).scheduleFindings()).toEqual([
      'V-5: 0x379 never seen in 6.0 s; it is sent every 5 s',
    ]);
    // Ticks 1-4 hold no 5 s frame at all, and that is how they should be.
    expect(
      summarise(
        victronProfile,
        recordingLines((t) => victronTick(t + 1), 4),
      ).scheduleFindings(),
    ).toEqual([]);
  });

  it('prints the findings under the per-id table, or that there are none', () => {
    const clean = summarise(smaProfile, recordingLines(smaBurst, 3)).format();
    expect(clean.at(-1)).toBe('schedule: no findings');
    const missing = summarise(
      smaProfile,
      recordingLines(() => smaBurst().slice(1), 3),
    ).format();
    expect(missing.at(-1)).toBe('!! S-9: 0x351 never seen; it is sent every second');
  });
});
