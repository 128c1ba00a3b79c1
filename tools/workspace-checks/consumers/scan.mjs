// An ES module consumer of the same public API (named imports from the CommonJS builds).
import { systemClock } from '@tsbms/hal';
import { EmulatedChain } from '@tsbms/module-emulator';
import {
  TeslaBus,
  discoverModules,
  ModuleCommands,
  PackScanner,
  hardwareThresholdsFromFaultLevels,
  cbTimeForPollInterval,
} from '@tsbms/tesla-protocol';
import { buildBatteryModelConfig, initialPackModel, updatePackModel } from '@tsbms/battery-model';

const chain = new EmulatedChain({ clock: systemClock, modules: 2, seed: 1, cellVoltagesV: [3.9] });
const bus = new TeslaBus(chain.link, { clock: systemClock });
const found = await discoverModules(bus, { clock: systemClock, expectedCount: 2 });
const thresholds = hardwareThresholdsFromFaultLevels({
  cellOverVoltageFaultV: 4.15,
  cellUnderVoltageFaultV: 3.55,
  overTemperatureFaultC: 65,
});
await new ModuleCommands(bus).setupPack(found.addresses, thresholds, cbTimeForPollInterval(1));
const reading = await new PackScanner(bus, { clock: systemClock }).scanPack(found.addresses);
const config = buildBatteryModelConfig({ moduleCount: 2, parallelStringCount: 1 });
const pack = updatePackModel(initialPackModel(config), reading).pack;
console.log(JSON.stringify({ addresses: found.addresses, packVoltageV: pack.packVoltageV }));
await chain.close();
process.exit(0);
