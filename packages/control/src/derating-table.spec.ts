import { buildControlConfig } from './config';
import { chargeCurrentTables, dischargeCurrentTables, minimumFactor } from './current-limit';
import { deratingFactor, distanceToZero } from './derating-table';
import { healthyInputs } from './inputs.fixture';

const table = [
  { input: 10, factor: 0 },
  { input: 20, factor: 1 },
  { input: 30, factor: 0.5 },
];

describe('deratingFactor', () => {
  it('hits the points, interpolates between them and holds the ends', () => {
    expect(deratingFactor(table, 10)).toBe(0);
    expect(deratingFactor(table, 20)).toBe(1);
    expect(deratingFactor(table, 15)).toBeCloseTo(0.5, 12);
    expect(deratingFactor(table, 25)).toBeCloseTo(0.75, 12);
    expect(deratingFactor(table, -5)).toBe(0);
    expect(deratingFactor(table, 99)).toBe(0.5);
  });
});

describe('distanceToZero', () => {
  it('is 0 inside the zero region and the distance to its edge outside it', () => {
    expect(distanceToZero(table, 5)).toBe(0);
    expect(distanceToZero(table, 10)).toBe(0);
    expect(distanceToZero(table, 12.5)).toBeCloseTo(2.5, 12);
    expect(distanceToZero(table, 40)).toBe(30);
  });

  it('is infinite for a table that never reaches 0', () => {
    expect(distanceToZero([{ input: 0, factor: 1 }], 50)).toBe(Infinity);
  });
});

describe('the §4.3 tables', () => {
  const config = buildControlConfig({ moduleCount: 2 });
  const charge = Object.fromEntries(chargeCurrentTables(config).map((t) => [t.name, t.table]));
  const discharge = Object.fromEntries(dischargeCurrentTables(config).map((t) => [t.name, t.table]));

  it('places the CCL points from the setpoints', () => {
    const cell = charge['highestCell'];
    expect(cell.map((p) => p.factor)).toEqual([1, 0.5, 0.1, 0]);
    [4.0, 4.05, 4.1, 4.125].forEach((v, i) => expect(cell[i].input).toBeCloseTo(v, 9));
    expect(charge['lowestTemperature']).toEqual([
      { input: 10, factor: 0 },
      { input: 20, factor: 1 },
    ]);
    expect(charge['highestTemperature']).toEqual([
      { input: 40, factor: 1 },
      { input: 45, factor: 0 },
    ]);
  });

  it('places the DCL points from the setpoints', () => {
    const cell = discharge['lowestCell'];
    expect(cell.map((p) => p.factor)).toEqual([0, 0.1, 0.5, 1]);
    [3.575, 3.6, 3.65, 3.7].forEach((v, i) => expect(cell[i].input).toBeCloseTo(v, 9));
    expect(discharge['highestTemperature']).toEqual([
      { input: 55, factor: 1 },
      { input: 65, factor: 0 },
    ]);
  });

  it('gives the worked example: 4.075 V and 15 °C → CCL factor 0.3 (30.0 A)', () => {
    const inputs = healthyInputs({
      highestCellV: 4.075,
      lowestTemperatureC: 15,
    });
    expect(config.maxChargeCurrentA * minimumFactor(chargeCurrentTables(config), inputs)).toBeCloseTo(30, 9);
  });

  it('counts an unknown input as 0', () => {
    expect(minimumFactor(dischargeCurrentTables(config), healthyInputs({ lowestCellV: null }))).toBe(0);
    expect(minimumFactor(chargeCurrentTables(config), healthyInputs({ highestTemperatureC: NaN }))).toBe(0);
  });
});
