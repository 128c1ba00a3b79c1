// A CommonJS consumer: discovers and scans an emulated chain through the public API, then builds a pack state.
const { systemClock } = require('@tsbms/hal');
const { EmulatedChain } = require('@tsbms/module-emulator');
const {
  TeslaBus,
  discoverModules,
  ModuleCommands,
  PackScanner,
  hardwareThresholdsFromFaultLevels,
  cbTimeForPollInterval,
} = require('@tsbms/tesla-protocol');
const { buildBatteryModelConfig, initialPackModel, updatePackModel } = require('@tsbms/battery-model');

async function main() {
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
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
