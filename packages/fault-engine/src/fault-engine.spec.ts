import { buildBatteryModelConfig, toPackState } from '@tsbms/battery-model';
import { makePackReading } from '@tsbms/battery-model/testing';
import { map, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { buildFaultEngineConfig, type FaultEngineConfigInput } from './config';
import { evaluateFaults, FaultEngine } from './fault-engine';
import { cell, Harness, temperature } from './testing/harness';
import type { FaultKind, FaultSet } from './types';

const SCAN_MS = 1000;
/** One marble frame per scan: 'ab' → 'a 999ms b'. */
const perScan = (chars: string): string => chars.split('').join(` ${SCAN_MS - 1}ms `);
const LEVEL_CHAR = { fault: 'f', warning: 'w', info: 'i' } as const;
const highest = (kind: FaultKind) => (set: FaultSet) => {
  const levels = set.faults.filter((f) => f.kind === kind).map((f) => f.level);
  return (
    (['fault', 'warning', 'info'] as const)
      .map((l) => (levels.includes(l) ? LEVEL_CHAR[l] : ''))
      .join('')[0] ?? 'n'
  );
};

/** Scans of module 1 at the values the marble characters stand for, through the real battery model. */
function engineOutput(
  scheduler: TestScheduler,
  input$: Observable<string>,
  values: Record<string, (address: number) => object>,
  kind: FaultKind,
  config: FaultEngineConfigInput = {},
) {
  const engine = new FaultEngine(buildFaultEngineConfig(config), { scheduler });
  const output$ = input$.pipe(
    map((c) => makePackReading(scheduler.now(), 2, values[c])),
    toPackState(buildBatteryModelConfig({ moduleCount: 2, parallelStringCount: 1 })),
    map((pack) => ({ pack })),
    evaluateFaults(engine),
    map(highest(kind)),
  );
  return { engine, output$ };
}

const newScheduler = () => new TestScheduler((a, b) => expect(a).toEqual(b));
const temps = { H: temperature(61), L: temperature(25), M: temperature(59), K: temperature(57) };

describe('FaultEngine timing (marbles, 1 s scans)', () => {
  it('B-1: the raise timer counts down while the value is back, not to zero', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable }) => {
      const { output$ } = engineOutput(ts, cold(perScan('HHHHHHLLHHHHHHH')), temps, 'overTemperature');
      // up 6 s, down 2 s, then 6 s more reach 10 s: raised at 14 s, not at 18 s (reset) or 12 s (no count-down).
      expectObservable(output$).toBe(perScan('nnnnnnnnnnnnnnw'));
    });
  });

  it('B-2: clears only after the clear delay below the hysteresis; an excursion restarts the hold', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable }) => {
      const input = 'H'.repeat(11) + 'M'.repeat(5) + 'K'.repeat(20) + 'M' + 'K'.repeat(31);
      const expected = 'n'.repeat(10) + 'w'.repeat(6 + 20 + 1 + 30) + 'i';
      const { output$ } = engineOutput(ts, cold(perScan(input)), temps, 'overTemperature');
      expectObservable(output$).toBe(perScan(expected));
    });
  });

  it('B-5: a latched fault stays until the condition is gone and an operator acknowledges', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable }) => {
      const volts = { O: cell(4.16), N: cell(3.9) };
      const { engine, output$ } = engineOutput(
        ts,
        cold(perScan('O'.repeat(13) + 'N'.repeat(12))),
        volts,
        'cellOverVoltage',
      );
      // acknowledge at 11.5 s (still over: rejected) and at 15.5 s (condition gone: accepted)
      const acks$ = cold(`11500ms a 3999ms a`).pipe(
        map(() => engine.acknowledge({ source: 'cli', kind: 'cellOverVoltage' }).accepted.length),
      );
      // the warning and info it held clear on their own hold, 10 s after the voltage came back
      expectObservable(output$).toBe(perScan('ii' + 'w'.repeat(8) + 'f'.repeat(6) + 'w'.repeat(7) + 'nn'));
      expectObservable(acks$).toBe(`11500ms a 3999ms b`, { a: 0, b: 1 });
    });
  });

  it('B-4: a self-clearing fault raised 3 times within 1 h latches', () => {
    const h = new Harness({
      timing: { overTemperature: { fault: { setDelayS: 1, clearDelayS: 1, latched: false } } },
    });
    for (let i = 0; i < 3; i++) {
      h.run(2000, temperature(70));
      h.run(40_000, temperature(25));
    }
    const faults = h.events('raise').filter((e) => e.level === 'fault');
    expect(faults.map((e) => e.latched)).toEqual([false, false, true]);
    expect(h.levels('overTemperature')).toEqual(['fault', 'warning', 'info']);
    expect(h.engine.acknowledge({ source: 'cli' }).accepted).toHaveLength(1);
    expect(h.levels('overTemperature')).toEqual([]);
    // raises more than 1 h apart do not latch
    const slow = new Harness({
      timing: { overTemperature: { fault: { setDelayS: 1, clearDelayS: 1, latched: false } } },
    });
    for (let i = 0; i < 3; i++) {
      slow.run(2000, temperature(70));
      slow.run(1_900_000, temperature(25), {}, 10_000);
    }
    expect(
      slow
        .events('raise')
        .filter((e) => e.level === 'fault')
        .map((e) => e.latched),
    ).toEqual([false, false, false]);
  });

  it('B-7: stale last good values may raise but never count as recovery', () => {
    const h = new Harness();
    const stale = (a: number) => (a === 1 ? { commsOk: false } : {});
    h.run(1000, temperature(66));
    h.run(9500, stale); // the kept 66 °C keeps counting
    expect(h.levels('overTemperature')).toEqual(['fault', 'warning', 'info']);
    h.run(1000, temperature(25));
    h.run(9000, stale); // offline after 10 s: unknown, no recovery
    h.run(120_000, (a) => (a === 1 ? { commsOk: false } : {}));
    expect(h.levels('overTemperature')).toEqual(['fault', 'warning', 'info']);
    h.run(60_500, temperature(25));
    expect(h.levels('overTemperature')).toEqual([]);
  });

  it('publishes events with source and location, keeps a bounded log, replays the set', () => {
    const h = new Harness({ eventLogSize: 3 });
    const seen: string[] = [];
    h.engine.events$.subscribe((e) => seen.push(`${e.type}:${e.kind}:${e.level}:${e.source}`));
    h.run(11_000, cell(4.16));
    h.run(500, cell(3.9));
    h.engine.acknowledge({ source: 'mqtt', location: { moduleAddress: 1, cellIndex: 0 } });
    expect(seen).toEqual([
      'raise:cellOverVoltage:info:engine',
      'raise:cellOverVoltage:warning:engine',
      'raise:cellOverVoltage:fault:engine',
      'acknowledge:cellOverVoltage:fault:mqtt',
      'clear:cellOverVoltage:fault:mqtt',
    ]);
    expect(h.engine.eventLog().map((e) => e.type)).toEqual(['raise', 'acknowledge', 'clear']);
    const replayed: FaultSet[] = [];
    h.engine.faults$.subscribe((s) => replayed.push(s));
    expect(replayed).toHaveLength(1);
    expect(replayed[0].highestLevel).toBe('warning');
  });

  it('B-6: latched$ emits the persisted state within the step in which the latched set changes', () => {
    const h = new Harness({
      timing: { overTemperature: { fault: { setDelayS: 1, clearDelayS: 1, latched: false } } },
    });
    const emitted: [number, string[]][] = [];
    h.engine.latched$.subscribe((p) => {
      expect(p).toEqual(h.engine.persistedState());
      emitted.push([h.clock.nowMs, p.faults.map((f) => `${f.kind}:${f.level}:${f.value}`)]);
    });
    h.run(6000, cell(3.54)); // a self-clearing under-voltage fault from 5.5 s
    expect(h.active('cellUnderVoltage', 'fault')?.latched).toBe(false);
    h.run(1000, cell(2.9)); // the active fault latches: deep discharge
    h.run(61_000, cell(3.7)); // only the value changes
    expect(emitted).toEqual([[6500, ['cellUnderVoltage:fault:2.9']]]);
    expect(h.engine.acknowledge({ source: 'cli', kind: 'cellUnderVoltage' }).accepted).toHaveLength(1);
    expect(emitted.slice(1)).toEqual([[68_000, []]]);
    h.run(10_500, cell(4.16)); // over-voltage faults latch when raised
    expect(emitted.slice(2)).toEqual([[78_500, ['cellOverVoltage:fault:4.16']]]);
    expect(h.engine.acknowledge({ source: 'cli' }).rejected).toHaveLength(1); // nothing changes
    h.run(10_000, cell(3.9));
    expect(emitted).toHaveLength(3);
    for (let i = 0; i < 3; i++) {
      h.run(2000, temperature(70));
      h.run(40_000, temperature(25));
    }
    // only the third raise within the hour latches (B-4)
    const thirdRaise = h
      .events('raise')
      .filter((e) => e.kind === 'overTemperature' && e.level === 'fault')[2];
    expect(emitted.slice(3)).toEqual([
      // each with the value that raised it, not the one of the latest scan
      [thirdRaise.timestampMs, ['cellOverVoltage:fault:4.16', 'overTemperature:fault:70']],
    ]);
  });

  it('B-3/B-5: a latched warning is not acknowledged while the fault above it is active', () => {
    const h = new Harness({
      timing: { overTemperature: { warning: { setDelayS: 10, clearDelayS: 30, latched: true } } },
    });
    h.run(10_500, temperature(66));
    h.run(30_500, temperature(25));
    expect(h.active('overTemperature', 'warning')).toMatchObject({ latched: true, clearable: false });
    expect(h.engine.acknowledge({ source: 'cli' }).rejected).toMatchObject([
      { fault: { level: 'warning' }, reason: 'a higher level of the same kind and location is active' },
    ]);
    expect(h.levels('overTemperature')).toEqual(['fault', 'warning', 'info']);
    h.run(30_000, temperature(25)); // the fault clears on its own after 60 s
    expect(h.levels('overTemperature')).toEqual(['warning', 'info']); // info held by the latched warning
    expect(h.active('overTemperature', 'warning')?.clearable).toBe(true);
    expect(h.engine.acknowledge({ source: 'cli' }).accepted).toHaveLength(1);
    expect(h.levels('overTemperature')).toEqual([]);
    expect(h.events('raise')).toHaveLength(3);
  });

  it('an acknowledge matching nothing latched does nothing', () => {
    const h = new Harness();
    h.run(3000, cell(4.13));
    expect(h.engine.acknowledge({ source: 'cli', kind: 'cellOverVoltage' })).toEqual({
      accepted: [],
      rejected: [],
    });
    expect(h.engine.acknowledge({ source: 'cli', location: { moduleAddress: 2 } })).toEqual({
      accepted: [],
      rejected: [],
    });
  });
});

describe('evaluateFaults with a projection', () => {
  it('hands each input and the set it produced to `project`, one output per input', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable }) => {
      const engine = new FaultEngine(buildFaultEngineConfig({}), { scheduler: ts });
      const config = buildBatteryModelConfig({ moduleCount: 2, parallelStringCount: 1 });
      const output$ = cold(perScan('LLL')).pipe(
        map(() => makePackReading(ts.now(), 2, temps.L)),
        toPackState(config),
        map((pack) => ({ pack, discoveredModuleCount: 1 })),
        // The engine raises the module-count fault on this input; the projection sees both sides.
        evaluateFaults(
          engine,
          (input, faults) => `${input.discoveredModuleCount}:${faults.highestLevel ?? 'none'}`,
        ),
      );
      expectObservable(output$).toBe(perScan('fff'), { f: '1:fault' });
    });
  });
});
