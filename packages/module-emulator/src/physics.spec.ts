import { ManualClock } from '@tsbms/hal';
import { Register } from '@tsbms/tesla-protocol';
import { EmulatedChain } from './emulated-chain';
import { DEFAULT_PHYSICS } from './physics-constants';
import { NCA_OCV_CURVE, OcvCurve } from './ocv-curve';
import { ModulePhysics } from './module-physics';
import { SeededRandom } from './prng';
import { RawHost } from './spec-support/raw-host';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

function chargeAh(chain: EmulatedChain, module: number, cell: number): number {
  const c = chain.snapshot().modules[module - 1].cells[cell - 1];
  return (c.socPercent / 100) * c.capacityAh;
}

describe('cell physics', () => {
  it('balancing a cell for an hour removes the charge its bleed resistor implies', async () => {
    const run = async (balance: boolean) => {
      const clock = new ManualClock();
      const chain = new EmulatedChain({ clock, modules: 1, seed: 11, cellVoltagesV: [3.9] });
      const host = new RawHost(chain, clock);
      await host.assignAddresses(1);
      const start = [1, 2, 3].map((c) => chargeAh(chain, 1, c));
      const startV = chain.snapshot().modules[0].cells.map((c) => c.voltageV);
      if (balance) {
        await host.write(1, Register.CB_TIME, 0x80 | 60); // 60 minutes
        await host.write(1, Register.CB_CTRL, 0b000010); // cell 2
      }
      await clock.advanceByMs(HOUR_MS + 60_000);
      const snap = chain.snapshot().modules[0];
      return {
        temperatureC: snap.temperatureC,
        removedAh: [1, 2, 3].map((c, i) => start[i] - chargeAh(chain, 1, c)),
        dropV: snap.cells.map((c, i) => startV[i] - c.voltageV),
        balancing: snap.cells[1].balancing,
      };
    };
    const idle = await run(false);
    const balanced = await run(true);
    // Bleed current = OCV / R; OCV moves by < 1 mV over the hour, so V/R × 1 h is exact to 0.1 %.
    const expectedAh = (3.9 / DEFAULT_PHYSICS.bleedResistorOhm) * 1;
    expect(balanced.balancing).toBe(false); // the safety timer ran out
    // 0.39 W of bleed heat for an hour warms 22.5 kJ/K by a little under 0.06 K
    expect(balanced.temperatureC - idle.temperatureC).toBeGreaterThan(0.03);
    expect(balanced.temperatureC - idle.temperatureC).toBeLessThan(0.063);
    expect(balanced.removedAh[1] - idle.removedAh[1]).toBeCloseTo(expectedAh, 3);
    expect(balanced.removedAh[0]).toBeCloseTo(idle.removedAh[0], 6);
    expect(balanced.removedAh[2]).toBeCloseTo(idle.removedAh[2], 6);
    // relative to its neighbours the balanced cell is now lower
    expect(balanced.dropV[1]).toBeGreaterThan(balanced.dropV[0] + 0.0001);
    expect(balanced.dropV[1]).toBeGreaterThan(balanced.dropV[2] + 0.0001);
  });

  it('charging raises every cell by the Ah put in; discharging lowers them', async () => {
    const clock = new ManualClock();
    const chain = new EmulatedChain({ clock, modules: 2, seed: 3, cellVoltagesV: [3.7] });
    const before = chain.snapshot().modules.flatMap((m) => m.cells);
    const ahBefore = before.map((c) => (c.socPercent / 100) * c.capacityAh);
    chain.setPackCurrent(40);
    const withCurrent = chain.snapshot().modules.flatMap((m) => m.cells);
    withCurrent.forEach((c, i) =>
      expect(c.voltageV - before[i].voltageV).toBeCloseTo(40 * DEFAULT_PHYSICS.groupResistanceOhm, 9),
    );
    await clock.advanceByMs(2 * HOUR_MS);
    const after = chain.snapshot().modules.flatMap((m) => m.cells);
    after.forEach((c, i) => {
      expect(c.voltageV).toBeGreaterThan(before[i].voltageV + 0.05);
      // 80 Ah in, minus at most 0.1 Ah of self-discharge over 2 h
      expect((c.socPercent / 100) * c.capacityAh - ahBefore[i]).toBeGreaterThan(79.9);
      expect((c.socPercent / 100) * c.capacityAh - ahBefore[i]).toBeLessThanOrEqual(80);
    });
    chain.setPackCurrent(-40);
    await clock.advanceByMs(HOUR_MS);
    chain
      .snapshot()
      .modules.flatMap((m) => m.cells)
      .forEach((c, i) => expect(c.voltageV).toBeLessThan(after[i].voltageV));
  });

  it('heats a module by I²R towards ambient + P·Rth and cools it back', async () => {
    const clock = new ManualClock();
    const chain = new EmulatedChain({ clock, modules: 1, ambientC: 20 });
    chain.setPackCurrent(100);
    await clock.advanceByMs(30 * HOUR_MS);
    const steady =
      20 + 100 ** 2 * DEFAULT_PHYSICS.groupResistanceOhm * 6 * DEFAULT_PHYSICS.thermalResistanceKPerW;
    const hot = chain.snapshot().modules[0];
    expect(hot.temperatureC).toBeCloseTo(steady, 1);
    expect(hot.thermistors.map((t) => t.temperatureC)).toEqual([hot.temperatureC, hot.temperatureC]);
    chain.setPackCurrent(0);
    const tau = DEFAULT_PHYSICS.heatCapacityJPerK * DEFAULT_PHYSICS.thermalResistanceKPerW;
    await clock.advanceByMs(tau * 1000);
    expect(chain.snapshot().modules[0].temperatureC - 20).toBeCloseTo((steady - 20) / Math.E, 1);
  });

  it('a seeded 7-day run is reproducible, differs with the seed, and develops imbalance', async () => {
    const run = async (seed: number) => {
      const clock = new ManualClock();
      const chain = new EmulatedChain({ clock, modules: 2, seed, cellVoltagesV: [3.9] });
      const host = new RawHost(chain, clock);
      await host.assignAddresses(2);
      for (let day = 0; day < 7; day++) {
        chain.setPackCurrent(20); // a day of charge and discharge
        await clock.advanceByMs(5 * HOUR_MS);
        chain.setPackCurrent(-20);
        await clock.advanceByMs(5 * HOUR_MS);
        chain.setPackCurrent(0);
        await clock.advanceByMs(DAY_MS - 10 * HOUR_MS);
      }
      return chain.snapshot();
    };
    const a = await run(42);
    const b = await run(42);
    const c = await run(43);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(c));
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
    const volts = a.modules.flatMap((m) => m.cells.map((cell) => cell.voltageV));
    expect(Math.max(...volts) - Math.min(...volts)).toBeGreaterThan(0.001);
  });
});

describe('ModulePhysics', () => {
  const make = () =>
    new ModulePhysics(DEFAULT_PHYSICS, new OcvCurve(NCA_OCV_CURVE), new SeededRandom(1), 50, 25);

  it('solves SoC from a voltage so the terminal voltage matches, with current and bleeding', () => {
    const p = make();
    p.setCellVoltage(0, 3.9, 25, false);
    expect(p.cellVoltageV(0, 25, false)).toBeCloseTo(3.9, 12);
    p.setCellVoltage(1, 4.0, -10, true);
    expect(p.cellVoltageV(1, -10, true)).toBeCloseTo(4.0, 9);
  });

  it('spreads capacity and self-discharge by seed and never lets a cell charge itself', () => {
    const cells = make().snapshot().cells;
    expect(new Set(cells.map((c) => c.capacityAh)).size).toBe(6);
    cells.forEach((c) => {
      expect(c.capacityAh).toBeGreaterThan(200);
      expect(c.capacityAh).toBeLessThan(260);
      expect(c.selfDischargePercentPerMonth).toBeGreaterThanOrEqual(0.2);
    });
  });

  it('keeps SoC inside the curve when over-charged', () => {
    const p = make();
    p.advance(10 * 3600, 100, 0, 25);
    expect(p.cellSocPercent(0)).toBe(120);
  });
});
