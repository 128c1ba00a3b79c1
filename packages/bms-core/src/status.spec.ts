import {
  buildBatteryModelConfig,
  initialPackModel,
  type PackModel,
  type PackState,
  updatePackModel,
} from '@tsbms/battery-model';
import { makePackReading } from '@tsbms/battery-model/testing';
import { buildControlConfig } from '@tsbms/control';
import { buildFaultEngineConfig } from '@tsbms/fault-engine';
import { ManualClock } from '@tsbms/hal';
import { RecordingLogger } from '@tsbms/hal/testing';
import type { ModuleReading } from '@tsbms/pack-reading';
import { createBms } from './create-bms';
import { FakePackSource, simulatedRelays, statusOfPack } from './testing';

/** battery-model's pack after one scan at 1 s; `module(address)` says what each module reports. */
function scannedPack(
  moduleCount: number,
  parallelStringCount: number,
  module: (address: number) => Partial<ModuleReading>,
): PackState {
  const model: PackModel = initialPackModel(buildBatteryModelConfig({ moduleCount, parallelStringCount }));
  const pack = updatePackModel(model, makePackReading(1000, moduleCount, module)).pack;
  if (pack === null) throw new Error('no pack state after a scan');
  return pack;
}

const silent: Partial<ModuleReading> = {
  commsOk: false,
  cellVoltagesV: [null, null, null, null, null, null],
  temperaturesC: [null, null],
  moduleVoltageV: null,
};

describe('buildStatusSnapshot: the pack facts from PackState', () => {
  it('before the first scan: no extremes, no strings, no modules', () => {
    const status = statusOfPack(null, 4);
    expect(status.extremes).toEqual({
      lowestCell: null,
      highestCell: null,
      lowestTemperature: null,
      highestTemperature: null,
      cellSpreadV: null,
    });
    expect(status.strings).toEqual([]);
    expect(status.modules).toEqual([]);
  });

  it('one string: the extremes with their place (0-based), the spread and the string', () => {
    const pack = scannedPack(2, 1, (address) =>
      address === 1
        ? { cellVoltagesV: [3.9, 3.9, 3.95, 3.9, 3.9, 3.9], temperaturesC: [24, 27.5] }
        : { cellVoltagesV: [3.9, 3.9, 3.9, 3.9, 3.85, 3.9], temperaturesC: [21.5, 25] },
    );
    const status = statusOfPack(pack, 2);
    expect(status.extremes).toEqual({
      lowestCell: { voltageV: 3.85, moduleAddress: 2, cellIndex: 4 },
      highestCell: { voltageV: 3.95, moduleAddress: 1, cellIndex: 2 },
      lowestTemperature: { temperatureC: 21.5, moduleAddress: 2, sensorIndex: 0 },
      highestTemperature: { temperatureC: 27.5, moduleAddress: 1, sensorIndex: 1 },
      cellSpreadV: expect.closeTo(0.1, 9),
    });
    expect(status.modules.map((m) => [m.address, m.stringIndex])).toEqual([
      [1, 0],
      [2, 0],
    ]);
    expect(status.strings).toEqual([
      { index: 0, moduleAddresses: [1, 2], voltageV: expect.closeTo(23.45 + 23.35, 9) },
    ]);
    // The same numbers as the pack's own statistics and strings, not a second computation.
    expect(status.extremes.cellSpreadV).toBe(pack.statistics.cellSpreadV);
    expect(status.strings[0].voltageV).toBe(pack.strings[0].voltageV);
    expect(status.packVoltageV).toBe(pack.packVoltageV);
  });

  it('two strings: each module says its string; a string with an unknown cell has no voltage', () => {
    const pack = scannedPack(4, 2, (address) =>
      address === 4 ? silent : address === 3 ? { cellVoltagesV: [3.9, 3.9, 3.9, 3.9, 3.9, 4.01] } : {},
    );
    const status = statusOfPack(pack, 4);
    expect(status.modules.map((m) => [m.address, m.stringIndex])).toEqual([
      [1, 0],
      [2, 0],
      [3, 1],
      [4, 1],
    ]);
    expect(status.strings).toEqual([
      { index: 0, moduleAddresses: [1, 2], voltageV: expect.closeTo(2 * 6 * 3.9, 9) },
      { index: 1, moduleAddresses: [3, 4], voltageV: null },
    ]);
    // Module 4 never answered: its unknown values are no extreme; the first of equal values wins.
    expect(status.extremes).toMatchObject({
      lowestCell: { voltageV: 3.9, moduleAddress: 1, cellIndex: 0 },
      highestCell: { voltageV: 4.01, moduleAddress: 3, cellIndex: 5 },
      lowestTemperature: { temperatureC: 25, moduleAddress: 1, sensorIndex: 0 },
      highestTemperature: { temperatureC: 25, moduleAddress: 1, sensorIndex: 0 },
    });
    expect(status.extremes.cellSpreadV).toBeCloseTo(0.11, 9);
  });

  it('is JSON as it is: the facts survive a round trip unchanged', () => {
    const status = statusOfPack(
      scannedPack(4, 2, () => ({})),
      4,
    );
    expect(JSON.parse(JSON.stringify(status))).toEqual(status);
  });
});

describe('createBms status: the pack facts', () => {
  it('has none before the first scan and those of the pack after it', async () => {
    const clock = new ManualClock(10_000);
    const source = new FakePackSource(undefined, 4);
    const bms = createBms({
      source,
      clock,
      logger: new RecordingLogger(),
      config: {
        batteryModel: buildBatteryModelConfig({ moduleCount: 4, parallelStringCount: 2 }),
        faultEngine: buildFaultEngineConfig({}),
        control: buildControlConfig({ moduleCount: 4, pollIntervalS: 1 }),
      },
      relays: simulatedRelays(clock),
      persisted: null,
    });
    expect(bms.status().extremes.lowestCell).toBeNull();
    expect(bms.status().extremes.cellSpreadV).toBeNull();
    expect(bms.status().strings).toEqual([]);

    source.emit(
      makePackReading(clock.now(), 4, (address) =>
        address === 2 ? { cellVoltagesV: [3.9, 3.88, 3.9, 3.9, 3.9, 3.9], temperaturesC: [25, 31] } : {},
      ),
    );
    await clock.advanceByMs(0);
    const status = bms.status();
    expect(status.extremes).toMatchObject({
      lowestCell: { voltageV: 3.88, moduleAddress: 2, cellIndex: 1 },
      highestCell: { voltageV: 3.9, moduleAddress: 1, cellIndex: 0 },
      highestTemperature: { temperatureC: 31, moduleAddress: 2, sensorIndex: 1 },
    });
    expect(status.strings.map((s) => s.moduleAddresses)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(status.modules.map((m) => m.stringIndex)).toEqual([0, 0, 1, 1]);
    await bms.stop();
  });
});
