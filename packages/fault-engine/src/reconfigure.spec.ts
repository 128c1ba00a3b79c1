import { buildFaultEngineConfig } from './config';
import { cell, Harness, temperature } from './testing/harness';

/** Live settings changes (issue 15): new levels apply from the next scan; no fault state is lost. */
describe('FaultEngine.reconfigure', () => {
  it('a lowered limit raises on the values already there, after its usual delay', () => {
    const harness = new Harness();
    harness.run(30_000, temperature(50));
    expect(harness.levels('overTemperature')).toEqual([]);

    harness.engine.reconfigure(buildFaultEngineConfig({ highTemperatureC: 45 }));
    expect(harness.engine.config.highTemperatureC).toBe(45);
    harness.run(2_000, temperature(50));
    // B-1: a level is raised after its set delay, not by the change itself.
    expect(harness.levels('overTemperature')).toEqual([]);
    harness.run(30_000, temperature(50));
    expect(harness.levels('overTemperature')).toContain('fault');
  });

  it('a raised limit clears a warning by its clear delay, never at once', () => {
    const harness = new Harness();
    harness.run(30_000, temperature(61));
    expect(harness.levels('overTemperature')).toContain('warning');

    harness.engine.reconfigure(buildFaultEngineConfig({ highTemperatureC: 80 }));
    harness.run(1_000, temperature(61));
    expect(harness.levels('overTemperature')).toContain('warning');
    harness.run(60_000, temperature(61));
    expect(harness.levels('overTemperature')).toEqual([]);
  });

  it('a latched fault stays latched when the new limit no longer holds it (B-5)', () => {
    const harness = new Harness();
    harness.run(15_000, cell(4.16));
    expect(harness.levels('cellOverVoltage')).toContain('fault');

    harness.engine.reconfigure(buildFaultEngineConfig({ cellHighVoltageV: 4.2 }));
    harness.run(60_000, cell(4.16));
    expect(harness.active('cellOverVoltage', 'fault')?.latched).toBe(true);
    expect(harness.engine.acknowledge({ source: 'test', kind: 'cellOverVoltage' }).accepted).toHaveLength(1);
  });
});
