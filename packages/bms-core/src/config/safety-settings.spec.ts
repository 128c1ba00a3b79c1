import { z } from 'zod';
import { bmsConfigShape } from './bms-config-schema';
import { BMS_SAFETY_SETTINGS, loosenedSafetySettings } from './safety-settings';

const schema = z.strictObject(bmsConfigShape({ maxModuleCount: 8, maxModuleCountReason: 'eight' }));
const documented = schema.parse({});

function change(before: Record<string, unknown>, after: Record<string, unknown>, changedPaths: string[]) {
  return { before: schema.parse(before), after: schema.parse(after), changedPaths };
}

describe('loosenedSafetySettings', () => {
  it('refuses loosening beyond the documented value, naming how far it may go', () => {
    const issues = loosenedSafetySettings(
      BMS_SAFETY_SETTINGS,
      change({}, { cells: { cellHighVoltageV: 4.3 } }, ['cells.cellHighVoltageV']),
      documented,
    );
    expect(issues).toEqual([
      {
        configPath: 'cells.cellHighVoltageV',
        reason: expect.stringContaining(
          `loosened as far as ${documented.cells.cellHighVoltageV} (bms-behaviour.md)`,
        ),
      },
    ]);
  });

  it('lets a setting be tightened, or loosened back as far as the documented value', () => {
    const tightened = change({}, { cells: { cellLowVoltageV: 3.7 } }, ['cells.cellLowVoltageV']);
    expect(loosenedSafetySettings(BMS_SAFETY_SETTINGS, tightened, documented)).toEqual([]);
    const back = change(
      { temperature: { highTemperatureC: 40 } },
      { temperature: { highTemperatureC: documented.temperature.highTemperatureC } },
      ['temperature.highTemperatureC'],
    );
    expect(loosenedSafetySettings(BMS_SAFETY_SETTINGS, back, documented)).toEqual([]);
  });

  it('switching a protection off is loosening it; a setting that did not change is not looked at', () => {
    const off = change({}, { contactorControl: false }, ['contactorControl']);
    expect(loosenedSafetySettings(BMS_SAFETY_SETTINGS, off, documented)).toMatchObject([
      { configPath: 'contactorControl', reason: expect.stringContaining('as far as on') },
    ]);
    expect(loosenedSafetySettings(BMS_SAFETY_SETTINGS, { ...off, changedPaths: [] }, documented)).toEqual([]);
  });
});
