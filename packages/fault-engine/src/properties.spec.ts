import fc from 'fast-check';
import type { LevelThresholds } from './config';
import { cell, Harness, type ModulePatch, temperature } from './testing/harness';
import type { FaultEvent, FaultKind, FaultLevel } from './types';

interface Step {
  readonly dtMs: number;
  readonly value: number;
  readonly commsOk: boolean;
  readonly acknowledge: boolean;
}

/** Readings in runs: a value held for a while (so that delays can elapse), with scan jitter, dropouts and acknowledges. */
const steps = (min: number, max: number) =>
  fc
    .array(
      fc.record({
        value: fc.double({ min, max, noNaN: true }),
        dtMs: fc.array(fc.integer({ min: 100, max: 4000 }), { minLength: 1, maxLength: 40 }),
        dropout: fc.integer({ min: 0, max: 4 }),
        acknowledge: fc.boolean(),
      }),
      { minLength: 1, maxLength: 12 },
    )
    .map((runs) =>
      runs.flatMap((r): Step[] =>
        r.dtMs.map((dtMs, i) => ({
          dtMs,
          value: r.value,
          commsOk: r.dropout === 0 || i % (r.dropout + 3) !== 0,
          acknowledge: r.acknowledge && i % 7 === 6,
        })),
      ),
    );

/** The test's own bookkeeping of the value the engine sees: fresh, a kept last good value, or unknown. */
class Reference {
  value: number | null = null;
  fresh = false;
  private measuredAtMs: number | null = null;
  observe(step: Step, nowMs: number): void {
    if (step.commsOk) {
      this.value = step.value;
      this.measuredAtMs = nowMs;
    } else if (this.measuredAtMs !== null && nowMs - this.measuredAtMs > 10_000) {
      this.value = null;
    }
    this.fresh = step.commsOk;
  }
}

/**
 * Runs the steps and checks after every one, for each level:
 * - a raise only after the value was beyond the set threshold for at least the set delay in total
 *   since the level last cleared (the up/down counter never exceeds the up-time);
 * - a clear only after fresh values beyond the clear threshold for the whole clear delay;
 * - a latched level clears only at an accepted acknowledge, which needs the clear condition.
 */
function checkInvariants(
  kind: FaultKind,
  thresholds: LevelThresholds,
  direction: 1 | -1,
  patch: (v: number) => ModulePatch,
  input: readonly Step[],
): void {
  const h = new Harness();
  const timing = h.engine.config.timing[kind];
  const ref = new Reference();
  const levels = (['info', 'warning', 'fault'] as const).filter((l) => timing[l] !== undefined);
  const upMs: Record<string, number> = {};
  const clearSince: Record<string, number | null> = {};
  for (const l of levels) {
    upMs[l] = 0;
    clearSince[l] = null;
  }
  let seen = 0;
  for (const step of input) {
    const before = ref.value;
    const latchedBefore = currentLatched(h);
    h.clock.nowMs += step.dtMs;
    const now = h.clock.nowMs;
    ref.observe(step, now);
    h.scan((a) => (a === 1 ? (step.commsOk ? patch(step.value)(a) : { commsOk: false }) : {}));
    for (const l of levels) {
      const beyond = (v: number | null, limit: number) => v !== null && (v - limit) * direction >= 0;
      if (beyond(before, thresholds[l])) upMs[l] += step.dtMs;
      const clearNow =
        ref.fresh && ref.value !== null && (ref.value - thresholds[l]) * direction < -thresholds.hysteresis;
      clearSince[l] = clearNow ? (clearSince[l] ?? now) : null;
    }
    if (step.acknowledge) {
      const result = h.engine.acknowledge({ source: 'property', kind });
      for (const f of result.accepted) {
        expect(clearSince[f.level]).not.toBeNull();
        expect(now - (clearSince[f.level] as number)).toBeGreaterThanOrEqual(
          (timing[f.level]?.clearDelayS ?? 0) * 1000,
        );
      }
    }
    const events = h.engine
      .eventLog()
      .slice(seen)
      .filter((e) => e.kind === kind);
    seen = h.engine.eventLog().length;
    checkEvents(events, timing, upMs, clearSince, now, h);
    const acknowledged = events.filter((e) => e.type === 'acknowledge').map((e) => `${e.kind}/${e.level}`);
    const activeNow = currentActive(h);
    for (const l of latchedBefore) if (!activeNow.includes(l)) expect(acknowledged).toContain(l);
  }
}

function checkEvents(
  events: FaultEvent[],
  timing: Harness['engine']['config']['timing'][FaultKind],
  upMs: Record<string, number>,
  clearSince: Record<string, number | null>,
  now: number,
  h: Harness,
): void {
  const acknowledged = new Set(events.filter((e) => e.type === 'acknowledge').map((e) => e.level));
  for (const e of events) {
    const level: FaultLevel = e.level;
    const levelTiming = timing[level];
    if (levelTiming === undefined) throw new Error(`unexpected level ${level}`);
    if (e.type === 'raise') {
      const implied = events.some((o) => o.type === 'raise' && o.level !== level && isHigher(o.level, level));
      if (!implied) expect(upMs[level]).toBeGreaterThanOrEqual(levelTiming.setDelayS * 1000);
      upMs[level] = 0;
    }
    if (e.type === 'clear') {
      expect(clearSince[level]).not.toBeNull();
      expect(now - (clearSince[level] as number)).toBeGreaterThanOrEqual(levelTiming.clearDelayS * 1000);
      if (e.latched) expect(acknowledged.has(level)).toBe(true);
      upMs[level] = 0;
    }
  }
  // whatever is latched is also what would be persisted (B-6)
  const latched = h.engine.persistedState().faults.map((f) => `${f.kind}/${f.level}`);
  expect(latched.sort()).toEqual(currentLatched(h).sort());
}

function currentLatched(h: Harness): string[] {
  let latched: string[] = [];
  h.engine.faults$
    .subscribe((set) => (latched = set.faults.filter((f) => f.latched).map((f) => `${f.kind}/${f.level}`)))
    .unsubscribe();
  return latched;
}

function currentActive(h: Harness): string[] {
  let active: string[] = [];
  h.engine.faults$.subscribe((set) => (active = set.faults.map((f) => `${f.kind}/${f.level}`))).unsubscribe();
  return active;
}

const isHigher = (a: FaultLevel, b: FaultLevel): boolean =>
  ['info', 'warning', 'fault'].indexOf(a) > ['info', 'warning', 'fault'].indexOf(b);

describe('fault engine invariants over random reading sequences (fast-check)', () => {
  const config = new Harness().engine.config;

  it('over-temperature: no early raise, no clear while the condition holds, stale never recovers', () => {
    fc.assert(
      fc.property(steps(50, 70), (input) =>
        checkInvariants('overTemperature', config.thresholds.overTemperatureC, 1, temperature, input),
      ),
      {
        numRuns: 60,
      },
    );
  });

  it('under-voltage (latching below 3.0 V): the same, and a latched fault never clears without an acknowledge', () => {
    fc.assert(
      fc.property(steps(2.95, 3.7), (input) =>
        checkInvariants('cellUnderVoltage', config.thresholds.cellUnderVoltageV, -1, cell, input),
      ),
      {
        numRuns: 60,
      },
    );
  });

  it('over-voltage (fault always latched): a latched fault never clears without an accepted acknowledge', () => {
    fc.assert(
      fc.property(steps(4.05, 4.25), (input) =>
        checkInvariants('cellOverVoltage', config.thresholds.cellOverVoltageV, 1, cell, input),
      ),
      {
        numRuns: 60,
      },
    );
  });
});
