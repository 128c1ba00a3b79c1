import { cell, Harness } from './testing/harness';
import type { PersistedFaults } from './types';

/** Derived thresholds are sums of settings (4.1 + 0.05): compared to 9 decimals. */
const near = (value: number) => expect.closeTo(value, 9);

/** Issue 17: a fault says what raised it and, apart from that, what holds now. */
describe('what raised a fault, and what holds now', () => {
  it('an active level keeps the measurement that raised it; `now` follows each scan', () => {
    const h = new Harness();
    h.run(2500, cell(4.13)); // the warning (4.125 V) after its 2 s
    h.run(500, cell(4.14));
    expect(h.active('cellOverVoltage', 'warning')).toMatchObject({
      value: 4.13,
      threshold: near(4.125),
      now: { value: 4.14, threshold: near(4.125) },
    });
    h.run(10_500, cell(4.16)); // the fault (4.15 V) after its 10 s: latched
    h.run(500, cell(3.9));
    expect(h.active('cellOverVoltage', 'fault')).toMatchObject({
      latched: true,
      value: 4.16,
      threshold: near(4.15),
      now: { value: 3.9, threshold: near(4.15) },
    });
    expect(h.engine.persistedState().faults).toEqual([
      expect.objectContaining({
        kind: 'cellOverVoltage',
        level: 'fault',
        value: 4.16,
        threshold: near(4.15),
      }),
    ]);
    // Events carry what held at their time: the raise its trigger, the clear the value then.
    h.run(10_000, cell(3.9));
    h.engine.acknowledge({ source: 'cli' });
    const fault = h.engine.eventLog().filter((e) => e.level === 'fault');
    expect(fault.map((e) => [e.type, e.value])).toEqual([
      ['raise', 4.16],
      ['acknowledge', 3.9],
      ['clear', 3.9],
    ]);
  });

  it('loads a state file written before the record had `threshold` (B-6)', () => {
    const old: PersistedFaults = JSON.parse(
      '{"version":1,"faults":[{"kind":"moduleCountMismatch","level":"fault","location":{},' +
        '"value":2,"detail":"discovered 2, configured 2","sinceMs":1000}]}',
    );
    const h = new Harness({}, 2, old);
    expect(h.active('moduleCountMismatch', 'fault')).toEqual({
      kind: 'moduleCountMismatch',
      level: 'fault',
      location: {},
      value: 2,
      detail: 'discovered 2, configured 2',
      now: null,
      sinceMs: 1000,
      latched: true,
      clearable: false,
    });
    h.run(500, undefined, { discoveredModuleCount: 2 });
    expect(h.active('moduleCountMismatch', 'fault')).toMatchObject({
      value: 2,
      now: { value: 2, threshold: 2, detail: 'discovered 2, configured 2' },
      clearable: true,
    });
    expect(h.engine.persistedState()).toEqual(old); // written back as it was read
  });
});
