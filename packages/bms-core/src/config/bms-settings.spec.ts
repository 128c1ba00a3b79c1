import { z } from 'zod';
import { buildBatteryModelConfig } from '@tsbms/battery-model';
import { buildControlConfig } from '@tsbms/control';
import { buildFaultEngineConfig } from '@tsbms/fault-engine';
import { ConfigChangeError } from '../output-service';
import { bmsConfigShape, type BmsSettings } from './bms-config-schema';
import { buildBmsConfig } from './bms-library-configs';

const bounds = { maxModuleCount: 16, maxModuleCountReason: 'the source addresses 16 modules' };
const settingsSchema = z.strictObject(bmsConfigShape(bounds));
const settings = (input: unknown): BmsSettings => settingsSchema.parse(input);

function rejection(run: () => unknown): ConfigChangeError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigChangeError) return error;
    throw error;
  }
  throw new Error('no ConfigChangeError');
}

describe('the core settings', () => {
  it('default to the libraries’ own defaults, four modules in one string', () => {
    const config = buildBmsConfig(settings({}));
    expect(config.batteryModel).toEqual(buildBatteryModelConfig({ moduleCount: 4, parallelStringCount: 1 }));
    expect(config.faultEngine).toEqual(buildFaultEngineConfig());
    expect(config.control).toEqual(buildControlConfig({ moduleCount: 4 }));
  });

  it('bound the module count by what the source can address, saying why', () => {
    const result = settingsSchema.safeParse({ pack: { moduleCount: 17 } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({
      path: ['pack', 'moduleCount'],
      message: 'at most 16 modules: the source addresses 16 modules',
    });
  });

  it('reach the library that uses them', () => {
    const config = buildBmsConfig(
      settings({ pack: { moduleCount: 8, parallelStringCount: 2 }, cells: { overVoltageDelayS: 7 } }),
    );
    expect(config.control.parallelStringCount).toBe(2);
    expect(config.faultEngine.timing.cellOverVoltage.fault?.setDelayS).toBe(7);
  });

  it('report what a library rejects under the setting that fed it, once, with table indexes', () => {
    const error = rejection(() =>
      buildBmsConfig(
        settings({
          pack: { moduleCount: 3, parallelStringCount: 2 },
          limits: {
            chargeSocTable: [
              { input: 50, factor: 1 },
              { input: 10, factor: 0 },
            ],
          },
        }),
      ),
    );
    expect(error.code).toBe('INVALID_CONFIG');
    const paths = error.issues.map((issue) => issue.configPath);
    expect(paths).toContain('pack.parallelStringCount');
    expect(paths.some((path) => path.startsWith('limits.chargeSocTable['))).toBe(true);
    expect(new Set(error.issues.map((i) => `${i.configPath}\n${i.reason}`)).size).toBe(error.issues.length);
  });
});
