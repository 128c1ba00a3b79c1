import { Subject } from 'rxjs';
import { buildBatteryModelConfig } from '@tsbms/battery-model';
import { buildControlConfig } from '@tsbms/control';
import { buildFaultEngineConfig } from '@tsbms/fault-engine';
import { ManualClock, silentLogger, SimulatedDigitalOutput } from '@tsbms/hal';
import type { PackSource, SourceReading } from '@tsbms/pack-reading';
import { createBms } from '@tsbms/bms-core';

// Another module type plugs in as a PackSource; here one 6-cell module whose scans we push by hand.
const scans = new Subject<SourceReading>();
const source: PackSource = {
  readings$: scans,
  start: () => undefined,
  setBalancing: () => undefined,
  stop: async () => scans.complete(),
};
const clock = new ManualClock(); // virtual time: a minute of BMS runs in milliseconds
const bms = createBms({
  source,
  clock,
  logger: silentLogger,
  relays: {
    contactorNegative: new SimulatedDigitalOutput('contactorNegative', clock),
    contactorPrecharge: new SimulatedDigitalOutput('contactorPrecharge', clock),
    contactorPositive: new SimulatedDigitalOutput('contactorPositive', clock),
  },
  config: {
    batteryModel: buildBatteryModelConfig({ moduleCount: 1, parallelStringCount: 1 }),
    faultEngine: buildFaultEngineConfig({}),
    control: buildControlConfig({ moduleCount: 1, pollIntervalS: 1 }),
  },
});
bms.contactors$.subscribe((c) => console.log(`${clock.now() / 1000} s: contactors ${c.state}`));
bms.events$.subscribe((e) => console.log(`${clock.now() / 1000} s: ${e.kind} ${e.level} ${e.type}`));

async function main(): Promise<void> {
  for (let second = 0; second < 40; second++) {
    const cell1V = second < 20 ? 3.9 : 4.2; // cell 1 runs away after 20 s
    scans.next({
      discoveredModules: 1,
      reading: {
        timestampMs: clock.now(),
        modules: [
          {
            address: 1,
            commsOk: true,
            cellVoltagesV: [cell1V, 3.9, 3.9, 3.9, 3.9, 3.9],
            temperaturesC: [22, 22],
            moduleVoltageV: 23.4,
            implausible: [],
            hardwareFlags: [],
            overVoltageCells: [],
            underVoltageCells: [],
            balanceTimerRunning: false,
          },
        ],
      },
    });
    await clock.advanceByMs(1000);
  }
  await bms.stop();
}
void main();
// → 0 s: contactors OPEN
// → 0 s: contactors NEGATIVE
// → 1 s: contactors PRECHARGE
// → 6 s: contactors OVERLAP
// → 7 s: contactors CLOSED
// → 20 s: cellOverVoltage info raise
// → 22 s: cellOverVoltage warning raise
// → 30 s: cellOverVoltage fault raise
// → 30 s: contactors OPEN
