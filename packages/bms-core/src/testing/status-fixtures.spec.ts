import fc from 'fast-check';
import { buildBatteryModelConfig, initialPackModel, updatePackModel } from '@tsbms/battery-model';
import { makePackReading } from '@tsbms/battery-model/testing';
import { bmsStatus, moduleStatus, statusExtremes, statusOfPack, statusStrings } from './status-fixtures';

const cell = fc.option(fc.constantFrom(3.6, 3.85, 3.9, 3.91, 4.05), { nil: null });
const sensor = fc.option(fc.constantFrom(-5, 20, 25.5, 40), { nil: null });
const moduleValues = fc.record({
  cellVoltagesV: fc.array(cell, { minLength: 6, maxLength: 6 }),
  temperaturesC: fc.array(sensor, { minLength: 2, maxLength: 2 }),
});

describe('status fixtures', () => {
  it('derive the extremes and strings as the core reports them for the same modules (property)', () => {
    const config = buildBatteryModelConfig({ moduleCount: 4, parallelStringCount: 2 });
    fc.assert(
      fc.property(fc.array(moduleValues, { minLength: 4, maxLength: 4 }), (modules) => {
        const reading = makePackReading(1000, 4, (address) => modules[address - 1]);
        const pack = updatePackModel(initialPackModel(config), reading).pack;
        const status = statusOfPack(pack, 4);
        expect(statusExtremes(status.modules)).toEqual(status.extremes);
        expect(statusStrings(status.modules)).toEqual(status.strings);
      }),
    );
  });

  it('a snapshot takes them from its modules unless it is given them', () => {
    const modules = [
      moduleStatus({ address: 1, cellsV: [3.9, 3.95, 3.9, 3.9, 3.9, 3.9], temperaturesC: [20, 22] }),
      moduleStatus({
        address: 2,
        stringIndex: 1,
        cellsV: [3.9, 3.9, 3.9, 3.9, 3.9, 3.8],
        temperaturesC: [21, null],
      }),
    ];
    const status = bmsStatus({ timestampMs: 0, modules, packVoltageV: 23.4, currentA: null, socPercent: 50 });
    expect(status.extremes).toMatchObject({
      lowestCell: { voltageV: 3.8, moduleAddress: 2, cellIndex: 5 },
      highestCell: { voltageV: 3.95, moduleAddress: 1, cellIndex: 1 },
      lowestTemperature: { temperatureC: 20, moduleAddress: 1, sensorIndex: 0 },
      highestTemperature: { temperatureC: 22, moduleAddress: 1, sensorIndex: 1 },
    });
    expect(status.strings.map((s) => s.moduleAddresses)).toEqual([[1], [2]]);
    expect(
      bmsStatus({
        timestampMs: null,
        modules,
        packVoltageV: null,
        currentA: null,
        socPercent: null,
        strings: [],
      }).strings,
    ).toEqual([]);
  });
});
