import { activeFault, bmsStatus, FakeOutputContext, moduleStatus } from './index';

const status = bmsStatus({
  timestampMs: 0,
  modules: [moduleStatus({ address: 1, cellsV: [3.9, 3.9, 3.9, 3.9, 3.9, 3.9], temperaturesC: [20, null] })],
  packVoltageV: 23.4,
  currentA: null,
  socPercent: 50,
});

describe('FakeOutputContext', () => {
  it('hands over its settings, the published status and fault events', () => {
    const context = new FakeOutputContext({ settings: { a: 1 }, status });
    const seen: (number | null)[] = [];
    context.status$.subscribe((s) => seen.push(s.timestampMs));
    context.publishStatus({ ...status, timestampMs: 1000 });
    expect(seen).toEqual([1000]);
    expect(context.status().timestampMs).toBe(1000);
    expect(context.settings()).toEqual({ a: 1 });
    context.setSettings({ a: 2 });
    expect(context.settings()).toEqual({ a: 2 });
    const events: string[] = [];
    context.faultEvents$.subscribe((e) => events.push(e.kind));
    context.publishFault({
      type: 'raise',
      timestampMs: 0,
      kind: 'cellOverVoltage',
      level: 'fault',
      location: {},
      value: null,
      source: 'engine',
      latched: true,
    });
    expect(events).toEqual(['cellOverVoltage']);
    expect(context.faultEvents()).toHaveLength(1);
    expect(context.linkStats()).toBeNull();
    expect(context.configuration.current()).toBeUndefined();
    expect(() => context.configuration.update({}, 'test')).toThrow(/no configuration/);
    expect(context.clock.now()).toBe(0);
  });

  it('acknowledges clearable latched faults only (B-5) and records restarts', () => {
    const clearable = activeFault({
      kind: 'cellOverVoltage',
      level: 'fault',
      latched: true,
      clearable: true,
    });
    const held = activeFault({ kind: 'overTemperature', level: 'fault', latched: true });
    const context = new FakeOutputContext({
      settings: null,
      status: { ...status, faults: [clearable, held] },
    });
    const result = context.acknowledgeFaults({ source: 'test' });
    expect(result.accepted).toEqual([clearable]);
    expect(result.rejected.map((r) => r.fault)).toEqual([held]);
    expect(context.acknowledgeFaults({ source: 'test', kind: 'overTemperature' }).accepted).toEqual([]);
    expect(context.acknowledges).toHaveLength(2);
    expect(context.requestRestart('why', 'test')).toEqual({ accepted: true, inS: 0 });
    context.restartDecision = { accepted: false, reason: 'too soon', retryAfterS: 5 };
    expect(context.requestRestart('again', 'test').accepted).toBe(false);
    expect(context.restarts).toEqual([{ reason: 'why', source: 'test' }]);
  });
});
