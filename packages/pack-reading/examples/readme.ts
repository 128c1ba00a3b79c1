import { CELLS_PER_MODULE, flagsMeaning, type PackReading } from '@tsbms/pack-reading';

// One scan of a one-module pack, as any source produces it (the Tesla scan loop, a replayed
// recording, another module type); the battery model takes it as it is.
const reading: PackReading = {
  timestampMs: 1_000,
  modules: [
    {
      address: 1,
      commsOk: true,
      cellVoltagesV: new Array<number>(CELLS_PER_MODULE).fill(3.9),
      temperaturesC: [24.5, 25],
      moduleVoltageV: 23.4,
      implausible: [],
      hardwareFlags: ['CRC', 'POR'],
      overVoltageCells: [],
      underVoltageCells: [],
      balanceTimerRunning: false,
    },
  ],
};

// What the board's flags ask of a BMS: set it up again (POR), count a warning (CRC).
for (const { address, hardwareFlags } of reading.modules) {
  const setup = flagsMeaning('setup', hardwareFlags);
  const warnings = flagsMeaning('warning', hardwareFlags);
  console.log(`module ${address}: set up again for ${setup.join(', ')}; warning ${warnings.join(', ')}`);
}
// → module 1: set up again for POR; warning CRC
