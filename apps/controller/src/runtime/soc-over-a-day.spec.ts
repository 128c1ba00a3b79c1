import { interval } from 'rxjs';
import { buildBatteryModelConfig, type BatteryModelConfig, type PackState } from '@tsbms/battery-model';
import { buildControlConfig } from '@tsbms/control';
import { EmulatedVeDirectMonitor, VeDirectCurrentSource } from '@tsbms/current-sensors';
import { buildFaultEngineConfig } from '@tsbms/fault-engine';
import { ManualClock, SimulatedDigitalOutput, silentLogger } from '@tsbms/hal';
import { createMemoryLinkPair } from '@tsbms/hal/testing';
import { EmulatedChain, NCA_OCV_CURVE, OcvCurve } from '@tsbms/module-emulator';
import { hardwareThresholdsFromFaultLevels } from '@tsbms/tesla-protocol';
import { startTeslaCore } from './tesla-core';

/**
 * Issue 13: over a simulated day (virtual time), SoC counted from an emulated SmartShunt's current
 * must track the emulated cells' true SoC within 1 %, where SoC from cell voltage alone is off by
 * more. The day is a home battery's: a night load, a morning peak, a solar noon with the house on,
 * an evening load, with a little ripple so no reading repeats. Two identical emulated packs (same
 * seed, same current) run side by side: one core counts the shunt's current, the other has no
 * sensor. Both are compared with the truth: the emulator's own cell SoC, expressed in the usable
 * window the core reports (B-30).
 */
const HOUR_S = 3600;
const SCAN_S = 4;
const START_CELL_V = 3.939; // 70 % on the NCA curve

/** The day's pack current at `t` seconds after midnight (+ = charging). */
function homeDayCurrentA(t: number): number {
  const hour = t / HOUR_S;
  const ripple = 0.4 * Math.sin(t / 37) + 0.2 * Math.sin(t / 11);
  if (hour < 6) return -5 + ripple; // night: fridge, router, standby
  if (hour < 8) return -10 + ripple; // breakfast
  if (hour < 16) return 20 * Math.sin((Math.PI * (hour - 8)) / 8) - 4 + ripple; // sun minus the house
  return -8 + ripple; // evening
}

function core(clock: ManualClock, chain: EmulatedChain, withShunt: boolean) {
  const faultEngine = buildFaultEngineConfig({});
  const batteryModel = buildBatteryModelConfig({ moduleCount: 1, parallelStringCount: 1 });
  const output = (name: string) => new SimulatedDigitalOutput(name, clock);
  const shuntLink = createMemoryLinkPair({ clock });
  const monitor = withShunt
    ? new EmulatedVeDirectMonitor({
        link: shuntLink.a,
        clock,
        battery: () => {
          const snapshot = chain.snapshot();
          return { currentA: snapshot.packCurrentA, voltageV: snapshot.modules[0].moduleVoltageV };
        },
      })
    : null;
  const { bms } = startTeslaCore({
    link: chain.link,
    clock,
    logger: silentLogger,
    relays: {
      contactorNegative: output('contactorNegative'),
      contactorPrecharge: output('contactorPrecharge'),
      contactorPositive: output('contactorPositive'),
    },
    libraries: {
      batteryModel,
      faultEngine,
      control: buildControlConfig({ moduleCount: 1, pollIntervalS: SCAN_S }),
      hardwareThresholds: hardwareThresholdsFromFaultLevels({
        cellOverVoltageFaultV: faultEngine.thresholds.cellOverVoltageV.fault,
        cellUnderVoltageFaultV: faultEngine.thresholds.cellUnderVoltageV.fault,
        overTemperatureFaultC: faultEngine.thresholds.overTemperatureC.fault,
      }),
    },
    settings: { programHardwareThresholds: true, readWithCrc: true, replyTimeoutMs: 100 },
    ...(withShunt ? { current: new VeDirectCurrentSource({ link: shuntLink.b, clock }) } : {}),
  });
  let latest: PackState | null = null;
  bms.pack$.subscribe((pack) => (latest = pack));
  const soc = () => {
    if (latest?.soc.socPercent == null) throw new Error('no SoC yet');
    return { percent: latest.soc.socPercent, method: latest.soc.method };
  };
  return { soc, stop: async () => (monitor?.stop(), bms.stop()) };
}

/** The emulator's truth in the core's terms: mean cell SoC mapped onto the usable window (B-30). */
function trueWindowSocPercent(chain: EmulatedChain, config: BatteryModelConfig): number {
  const curve = new OcvCurve(NCA_OCV_CURVE);
  const low = curve.socAtVoltage(config.cellLowVoltageV);
  const high = curve.socAtVoltage(config.cellHighVoltageV);
  const cells = chain.snapshot().modules.flatMap((m) => m.cells.map((c) => c.socPercent));
  const meanSoc = cells.reduce((sum, soc) => sum + soc, 0) / cells.length;
  return ((meanSoc - low) / (high - low)) * 100;
}

describe('SoC over a simulated day: coulomb counting on an emulated SmartShunt vs cell voltage alone', () => {
  jest.setTimeout(180_000);

  it('counting stays within 1 % of the true SoC all day; voltage alone is off by more', async () => {
    const clock = new ManualClock();
    const chainOptions = {
      clock,
      modules: 1,
      seed: 13,
      cellVoltagesV: [START_CELL_V],
      temperaturesC: [25, 25],
    };
    const counted = new EmulatedChain(chainOptions);
    const byVoltage = new EmulatedChain(chainOptions);
    const withShunt = core(clock, counted, true);
    const voltageOnly = core(clock, byVoltage, false);
    const config = buildBatteryModelConfig({ moduleCount: 1, parallelStringCount: 1 });

    const startMs = clock.now();
    const drive = interval(1000, clock).subscribe(() => {
      const currentA = homeDayCurrentA((clock.now() - startMs) / 1000);
      counted.setPackCurrent(currentA);
      byVoltage.setPackCurrent(currentA);
    });

    const errors = { counted: [] as number[], byVoltage: [] as number[] };
    let trueMin = Infinity;
    let trueMax = -Infinity;
    // Sampled every minute after the first 10 minutes (the voltage filter's start, B-35).
    for (let minute = 1; minute <= 24 * 60; minute++) {
      await clock.advanceByMs(60_000);
      if (minute <= 10) continue;
      const truth = trueWindowSocPercent(counted, config);
      trueMin = Math.min(trueMin, truth);
      trueMax = Math.max(trueMax, truth);
      errors.counted.push(Math.abs(withShunt.soc().percent - truth));
      errors.byVoltage.push(Math.abs(voltageOnly.soc().percent - trueWindowSocPercent(byVoltage, config)));
    }
    drive.unsubscribe();

    const worst = (e: number[]) => Math.max(...e);
    const mean = (e: number[]) => e.reduce((s, v) => s + v, 0) / e.length;
    const figures = {
      countedWorst: worst(errors.counted),
      countedMean: mean(errors.counted),
      voltageWorst: worst(errors.byVoltage),
      voltageMean: mean(errors.byVoltage),
      trueRange: [trueMin, trueMax],
    };
    if (process.env['SHOW_SOC_FIGURES'] === '1') process.stdout.write(`${JSON.stringify(figures)}\n`);

    // The day must really swing, or the comparison says nothing.
    expect(trueMax - trueMin).toBeGreaterThan(40);
    expect(withShunt.soc().method).toBe('coulombCounting');
    expect(voltageOnly.soc().method).toBe('voltageBased');
    expect(figures.countedWorst).toBeLessThan(1);
    expect(figures.voltageWorst).toBeGreaterThan(2 * figures.countedWorst);
    expect(figures.voltageWorst).toBeGreaterThan(1);

    // Stopping waits for the scan loop, which runs on the virtual clock.
    let stopped = false;
    const stopping = Promise.all([withShunt.stop(), voltageOnly.stop()]).finally(() => (stopped = true));
    while (!stopped) await clock.advanceByMs(100);
    await stopping;
    await counted.close();
    await byVoltage.close();
  });
});
