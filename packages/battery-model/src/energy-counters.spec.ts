import fc from 'fast-check';
import { buildBatteryModelConfig } from './config';
import {
  initialEnergyState,
  stepEnergy,
  timeToGo,
  TIME_TO_GO_AVERAGING_S,
  type EnergySample,
  type EnergyState,
} from './energy-counters';
import { usableAhAtFullHealth } from './soc-estimator';

const config = buildBatteryModelConfig({ moduleCount: 2, parallelStringCount: 1 });
const run = (samples: readonly EnergySample[], from: EnergyState = initialEnergyState(null, config)) =>
  samples.reduce((state, sample) => stepEnergy(state, sample, config), from);
const at = (seconds: number, currentA: number | null, packVoltageV: number | null = 50): EnergySample => ({
  timestampMs: seconds * 1000,
  currentA,
  packVoltageV,
});

describe('stepEnergy', () => {
  it('counts 1 h at −20 A and 50 V as 20 Ah and 1000 Wh discharged, and its cycles', () => {
    const samples = Array.from({ length: 3601 }, (_, s) => at(s, -20));
    const state = run(samples);
    expect(state.dischargedAh).toBeCloseTo(20, 9);
    expect(state.dischargedWh).toBeCloseTo(1000, 9);
    expect(state.chargedAh).toBe(0);
    expect(state.equivalentCycles).toBeCloseTo(20 / usableAhAtFullHealth(config), 12);
  });

  it('integrates over the real time between scans, not a fixed step', () => {
    const state = run([at(0, 10), at(0.5, 10), at(3, 10), at(3.2, 10), at(7, 10)]);
    expect(state.chargedAh).toBeCloseTo((10 * 7) / 3600, 12);
  });

  it('does not integrate across a gap longer than maxIntegrationGapS, nor a scan without current or voltage', () => {
    const gap = config.maxIntegrationGapS + 1;
    expect(run([at(0, 10), at(gap, 10)]).chargedAh).toBe(0);
    expect(run([at(0, 10), at(1, null), at(2, 10)]).chargedAh).toBeCloseTo((10 * 2) / 3600, 12);
    expect(run([at(0, 10), at(1, 10, null)]).chargedAh).toBe(0);
  });

  it("counts from the sensor's integral where there is one: Ah as integrated, Wh at the scans' mean voltage", () => {
    const withIntegral = (
      seconds: number,
      currentA: number,
      packV: number,
      chargedAh: number,
      dischargedAh: number,
    ) => ({
      ...at(seconds, currentA, packV),
      integral: { chargedAh, dischargedAh, gaps: 0 },
    });
    // the scans see 0 A both times; the sensor saw 0.1 Ah in and 0.02 Ah out between them
    const state = run([withIntegral(0, 0, 50, 3, 7), withIntegral(30, 0, 52, 3.1, 7.02)]);
    expect(state.chargedAh).toBeCloseTo(0.1, 12);
    expect(state.dischargedAh).toBeCloseTo(0.02, 12);
    expect(state.chargedWh).toBeCloseTo(0.1 * 51, 9);
    expect(state.dischargedWh).toBeCloseTo(0.02 * 51, 9);
  });

  it('never decreases, whatever the current does (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.integer({ min: 1, max: 8000 }), fc.double({ min: -500, max: 500, noNaN: true })),
          {
            maxLength: 50,
          },
        ),
        (steps) => {
          let t = 0;
          let state = initialEnergyState(null, config);
          for (const [dtMs, currentA] of steps) {
            t += dtMs;
            const next = stepEnergy(state, { timestampMs: t, currentA, packVoltageV: 48 }, config);
            for (const key of ['chargedAh', 'dischargedAh', 'chargedWh', 'dischargedWh'] as const)
              expect(next[key]).toBeGreaterThanOrEqual(state[key]);
            state = next;
          }
        },
      ),
    );
  });

  it('starts from saved totals, and a bad saved field from 0', () => {
    const state = initialEnergyState(
      { chargedAh: 12, dischargedAh: Number.NaN, chargedWh: -3, dischargedWh: 480 },
      config,
    );
    expect(state).toMatchObject({ chargedAh: 12, dischargedAh: 0, chargedWh: 0, dischargedWh: 480 });
    expect(run([at(0, -10), at(3.6, -10)], state).dischargedAh).toBeCloseTo(0.01, 12);
  });
});

describe('time to go', () => {
  it('follows a step of current with the averaging time constant', () => {
    const samples = [at(0, -10), ...Array.from({ length: TIME_TO_GO_AVERAGING_S }, (_, s) => at(s + 1, -40))];
    const state = run(samples);
    // one time constant: 63 % of the way from −10 to −40
    expect(state.averageCurrentA).toBeCloseTo(-10 - 30 * (1 - Math.exp(-1)), 6);
  });

  it('to empty while discharging, to full while charging, nothing at rest or without a SoC', () => {
    expect(timeToGo(-10, 50, 100, 0.2)).toEqual({ toEmptyS: 5 * 3600, toFullS: null });
    expect(timeToGo(25, 50, 100, 0.2)).toEqual({ toEmptyS: null, toFullS: 2 * 3600 });
    expect(timeToGo(0.1, 50, 100, 0.2)).toEqual({ toEmptyS: null, toFullS: null });
    expect(timeToGo(-10, null, 100, 0.2)).toEqual({ toEmptyS: null, toFullS: null });
    expect(timeToGo(null, 50, 100, 0.2)).toEqual({ toEmptyS: null, toFullS: null });
  });
});
