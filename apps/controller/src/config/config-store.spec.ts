import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as fc from 'fast-check';
import { parse } from 'yaml';
import { MAX_PATCH_DEPTH, setAtPath } from '@tsbms/bms-core';
import {
  ConfigStore,
  ControllerConfigError,
  DEFAULT_CONTROLLER_CONFIG,
  loadControllerConfig,
  parseControllerConfig,
  type ConfigFileSystem,
} from './index';
import { configErrorOf } from './testing/config-error';

const EXAMPLE_TEXT = fs.readFileSync(path.join(__dirname, 'config.example.yaml'), 'utf8');

/** A ConfigStore over the real file system whose `failAt`-th mutating call fails (a crash there). */
function injectedFileSystem(failAt: number, calls: string[] = []): ConfigFileSystem {
  const fail = (name: string) => {
    calls.push(name);
    return calls.length === failAt
      ? Object.assign(new Error(`injected failure in ${name}`), { code: 'EIO' })
      : undefined;
  };
  return {
    readFileSync: (file, encoding) => fs.readFileSync(file, encoding),
    statSync: (file) => fs.statSync(file),
    openSync: (file, flags, mode) => {
      const error = fail('openSync');
      if (error) throw error;
      return fs.openSync(file, flags, mode);
    },
    writeSync: (fd, buffer, offset, length) => {
      const error = fail('writeSync');
      if (error) {
        // Torn write: half the bytes reach the file, then the process dies.
        fs.writeSync(fd, buffer, offset, Math.floor(length / 2));
        throw error;
      }
      return fs.writeSync(fd, buffer, offset, length);
    },
    fsyncSync: (fd) => {
      const error = fail('fsyncSync');
      if (error) throw error;
      fs.fsyncSync(fd);
    },
    closeSync: (fd) => {
      const error = fail('closeSync');
      fs.closeSync(fd); // the descriptor goes away with the process either way
      if (error) throw error;
    },
    renameSync: (from, to) => {
      const error = fail('renameSync');
      if (error) throw error;
      fs.renameSync(from, to);
    },
    linkSync: (existing, link) => {
      const error = fail('linkSync');
      if (error) throw error;
      fs.linkSync(existing, link);
    },
    unlinkSync: (file) => {
      const error = fail('unlinkSync');
      if (error) throw error;
      fs.unlinkSync(file);
    },
  };
}

describe('ConfigStore', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsbms-store-'));
    file = path.join(dir, 'config.yaml');
    fs.writeFileSync(file, EXAMPLE_TEXT);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('opens a file as loadControllerConfig reads it', () => {
    expect(ConfigStore.open(file, {}).config).toEqual(loadControllerConfig(file, {}));
  });

  it('refuses to open a missing file', () => {
    expect(configErrorOf(() => ConfigStore.open(path.join(dir, 'none.yaml'), {})).code).toBe('CONFIG_FILE');
  });

  it('persists a good patch, keeps the previous file and the comments', () => {
    const store = ConfigStore.open(file, {});
    const { config, changedPaths } = store.update({
      cells: { cellHighVoltageV: 4.05 },
      gpio: { heaterPin: 17 },
    });
    expect(changedPaths).toEqual(['cells.cellHighVoltageV', 'gpio.heaterPin']);

    expect(config.cells.cellHighVoltageV).toBe(4.05);
    expect(config.cells.cellLowVoltageV).toBe(3.6);
    expect(store.config).toBe(config);
    expect(loadControllerConfig(file, {})).toEqual(config);
    expect(fs.readFileSync(`${file}.previous`, 'utf8')).toBe(EXAMPLE_TEXT);
    expect(fs.existsSync(`${file}.tmp`)).toBe(false);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain('# Cell voltage levels (§2.1)');
    expect(text).toContain('  cellHighVoltageV: 4.05\n');

    store.update({ pollIntervalS: 1 });
    expect(fs.readFileSync(`${file}.previous`, 'utf8')).toBe(text);
  });

  it.each([
    [
      'a wrong type',
      { cells: { cellHighVoltageV: 'high' } },
      'cells.cellHighVoltageV: expected number, received string',
    ],
    ['an unknown key', { cells: { cellHighVoltage: 4 } }, 'cells.cellHighVoltage: unknown key'],
    [
      'thresholds out of order',
      { cells: { cellLowVoltageV: 4.2 } },
      'cells.cellHighVoltageV: low setpoint must be below high setpoint (4.2 must be < 4.1)',
    ],
    [
      'a COV above 4.25 V',
      { cells: { voltageFaultOffsetV: 0.2 } },
      'cells.cellHighVoltageV: hardware threshold (T-18)',
    ],
    ['not a mapping', [{ pollIntervalS: 1 }], '(root): a patch must be a mapping of settings'],
    ['a prototype key', JSON.parse('{"__proto__": {"pollIntervalS": 1}}'), '__proto__: unknown key'],
  ])('rejects %s and changes nothing on disk or in memory', (_what, patch, line) => {
    const store = ConfigStore.open(file, {});
    const before = store.config;
    const error = configErrorOf(() => store.update(patch));
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message.split('\n')[0].startsWith(`${file}: ${line}`)).toBe(true);
    expect(fs.readFileSync(file, 'utf8')).toBe(EXAMPLE_TEXT);
    expect(fs.readdirSync(dir)).toEqual(['config.yaml']);
    expect(store.config).toBe(before);
  });

  it('keeps a JSON file JSON', () => {
    fs.writeFileSync(file, JSON.stringify({ pack: { moduleCount: 2 } }));
    ConfigStore.open(file, {}).update({ pack: { moduleCapacityAh: 200 }, serial: { path: '/dev/ttyUSB0' } });
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({
      pack: { moduleCount: 2, moduleCapacityAh: 200 },
      serial: { path: '/dev/ttyUSB0' },
    });
  });

  it('replaces a table as a whole', () => {
    const store = ConfigStore.open(file, {});
    const ocvTable = [
      { voltageV: 3, socPercent: 0 },
      { voltageV: 4.2, socPercent: 100 },
    ];
    expect(store.update({ soc: { ocvTable } }).config.soc.ocvTable).toEqual(ocvTable);
  });

  it('never writes an environment override into the file', () => {
    const env = { TSBMS_SERIAL_PATH: '/dev/secret-port' };
    const store = ConfigStore.open(file, env);
    const { config } = store.update({ pollIntervalS: 1 });
    expect(config.serial.path).toBe('/dev/secret-port');
    expect(fs.readFileSync(file, 'utf8')).not.toContain('/dev/secret-port');
    expect(loadControllerConfig(file, {}).serial.path).toBeNull();
  });

  it('keeps the file mode (a config may be private)', () => {
    fs.chmodSync(file, 0o600);
    ConfigStore.open(file, {}).update({ pollIntervalS: 1 });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it.each([
    ['an empty patch', {}],
    ['the values already set', { pack: { moduleCount: 4 }, cells: { cellHighVoltageV: 4.1 } }],
  ])('%s changes nothing: no write, no changed path', (_what, patch) => {
    const store = ConfigStore.open(file, {});
    const before = store.config;
    expect(store.update(patch)).toEqual({ config: before, changedPaths: [] });
    expect(fs.readdirSync(dir)).toEqual(['config.yaml']);
  });

  describe('with command-line overrides (--modules 4)', () => {
    const commandLine = [{ configPath: 'pack.moduleCount', value: 4, origin: '--modules 4' }];
    beforeEach(() => fs.writeFileSync(file, 'pack:\n  moduleCount: 8\n  parallelStringCount: 2\n'));

    it('runs what the command line says', () => {
      expect(ConfigStore.open(file, {}, { commandLine }).config.pack.moduleCount).toBe(4);
    });

    it('refuses a change to the overridden setting, which would have no effect, naming the option', () => {
      const store = ConfigStore.open(file, {}, { commandLine });
      const error = configErrorOf(() => store.update({ pack: { moduleCount: 63 } }));
      expect(error.issues).toEqual([
        {
          configPath: 'pack.moduleCount',
          reason: 'set by --modules 4, which wins over the file: change it there',
        },
      ]);
      expect(fs.readFileSync(file, 'utf8')).toBe('pack:\n  moduleCount: 8\n  parallelStringCount: 2\n');
    });

    it('validates a change as it would run: three strings are fine for the file (8), not for 4 modules', () => {
      const store = ConfigStore.open(file, {}, { commandLine });
      const error = configErrorOf(() => store.update({ pack: { parallelStringCount: 3 } }));
      expect(error.code).toBe('INVALID_CONFIG');
      expect(error.configPath).toBe('pack.parallelStringCount');
      expect(fs.readdirSync(dir)).toEqual(['config.yaml']);
      // The file alone would have taken it: the overrides are what make it invalid.
      expect(ConfigStore.open(file, {}).update({ pack: { parallelStringCount: 4 } }).changedPaths).toEqual([
        'pack.parallelStringCount',
      ]);
    });
  });

  it('runs the caller’s checks on a real change only, and a refusal saves nothing', () => {
    const store = ConfigStore.open(file, {});
    const seen: string[][] = [];
    const refuse = (change: { changedPaths: readonly string[] }) => {
      seen.push([...change.changedPaths]);
      throw new ControllerConfigError('PROTECTED_SETTING', [{ configPath: 'x', reason: 'refused' }]);
    };
    expect(store.update({ pollIntervalS: 0.5 }, [refuse]).changedPaths).toEqual([]);
    expect(configErrorOf(() => store.update({ pollIntervalS: 1 }, [refuse])).code).toBe('PROTECTED_SETTING');
    expect(seen).toEqual([['pollIntervalS']]);
    expect(fs.readFileSync(file, 'utf8')).toBe(EXAMPLE_TEXT);
  });

  it('restores a checkpoint: file and configuration as they were', () => {
    const store = ConfigStore.open(file, {});
    const checkpoint = store.checkpoint();
    store.update({ pollIntervalS: 1 });
    store.update({ balancing: { enabled: false } });
    expect(store.restore(checkpoint)).toBe(checkpoint.config);
    expect(store.config).toBe(checkpoint.config);
    expect(fs.readFileSync(file, 'utf8')).toBe(EXAMPLE_TEXT);
  });

  it('refuses a patch nested 10 000 levels deep before anything recursive walks it', () => {
    const store = ConfigStore.open(file, {});
    const deep = JSON.parse(`${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`);
    const error = configErrorOf(() => store.update({ cells: deep }));
    expect(error.issues).toEqual([
      { configPath: '(root)', reason: `a patch nests deeper than ${MAX_PATCH_DEPTH} levels` },
    ]);
    expect(fs.readFileSync(file, 'utf8')).toBe(EXAMPLE_TEXT);
  });

  describe('a crash at any step of the write', () => {
    const patch = { cells: { cellHighVoltageV: 4.05 } };
    const steps: string[] = [];
    beforeAll(() => {
      // A clean run lists the mutating calls one update makes.
      const cleanDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsbms-steps-'));
      const cleanFile = path.join(cleanDir, 'config.yaml');
      fs.writeFileSync(cleanFile, EXAMPLE_TEXT);
      ConfigStore.open(cleanFile, {}, { fileSystem: injectedFileSystem(0, steps) }).update(patch);
      fs.rmSync(cleanDir, { recursive: true, force: true });
    });

    it('makes the expected sequence of calls', () => {
      expect(steps).toEqual([
        'openSync', // FILE.tmp
        'writeSync',
        'fsyncSync',
        'closeSync',
        'unlinkSync', // old FILE.previous
        'linkSync', // FILE -> FILE.previous
        'renameSync', // FILE.tmp -> FILE
        'openSync', // the directory
        'fsyncSync',
        'closeSync',
      ]);
    });

    it('never leaves a half-written file, and memory matches the disk', () => {
      expect(steps.length).toBeGreaterThan(0);
      for (let failAt = 1; failAt <= steps.length; failAt += 1) {
        fs.writeFileSync(file, EXAMPLE_TEXT);
        const store = ConfigStore.open(file, {}, { fileSystem: injectedFileSystem(failAt) });
        const error = configErrorOf(() => store.update(patch));
        const where = `failure at step ${failAt} (${steps[failAt - 1]})`;
        expect(`${where}: ${error.code}`).toBe(`${where}: CONFIG_FILE`);
        expect(error.message).toContain('injected failure');

        const onDisk = loadControllerConfig(file, {});
        // Steps count from 1: the new file is in place once the rename itself has succeeded.
        const replaced = failAt > steps.indexOf('renameSync') + 1;
        expect({ where, cellHighVoltageV: onDisk.cells.cellHighVoltageV }).toEqual({
          where,
          cellHighVoltageV: replaced ? 4.05 : 4.1,
        });
        if (!replaced) expect(fs.readFileSync(file, 'utf8')).toBe(EXAMPLE_TEXT);
        expect(store.config).toEqual(onDisk);
      }
    });
  });

  it('property: a random patch is either rejected with the file untouched, or persisted and read back equal', () => {
    const settings = leafSettings(DEFAULT_CONTROLLER_CONFIG);
    const outcomes = { accepted: 0, rejected: 0, noop: 0 };
    let run = 0;
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom(...settings), { minLength: 1, maxLength: 4, selector: (s) => s.path }),
        fc.array(anyValue(), { minLength: 4, maxLength: 4 }),
        fc.array(fc.double({ min: 0.5, max: 1.5, noNaN: true }), { minLength: 4, maxLength: 4 }),
        fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
        (chosen, values, scales, nearDefault) => {
          const patch: Record<string, unknown> = {};
          chosen.forEach((setting, i) => {
            const value =
              nearDefault[i] && typeof setting.value === 'number' ? setting.value * scales[i] : values[i];
            setAtPath(patch, setting.path.split('.'), value);
          });
          run += 1;
          const runFile = path.join(dir, `run-${run}.yaml`);
          fs.writeFileSync(runFile, EXAMPLE_TEXT);
          const store = ConfigStore.open(runFile, {});
          const before = store.config;
          try {
            const { config, changedPaths } = store.update(patch);
            // A patch that changes nothing that runs is not written (a no-op).
            if (changedPaths.length === 0) {
              expect(fs.readFileSync(runFile, 'utf8')).toBe(EXAMPLE_TEXT);
              expect(config).toBe(before);
              outcomes.noop += 1;
              return;
            }
            outcomes.accepted += 1;
            const text = fs.readFileSync(runFile, 'utf8');
            expect(parseControllerConfig(parse(text), runFile)).toEqual(config);
            expect(loadControllerConfig(runFile, {})).toEqual(config);
            expect(fs.readFileSync(`${runFile}.previous`, 'utf8')).toBe(EXAMPLE_TEXT);
          } catch (error) {
            if (!(error instanceof ControllerConfigError) || error.code !== 'INVALID_CONFIG') throw error;
            outcomes.rejected += 1;
            expect(fs.readFileSync(runFile, 'utf8')).toBe(EXAMPLE_TEXT);
            expect(fs.existsSync(`${runFile}.previous`)).toBe(false);
            expect(store.config).toBe(before);
          }
        },
      ),
      { numRuns: 150 },
    );
    // Both branches were exercised, so neither half of the property holds vacuously.
    expect(outcomes.accepted).toBeGreaterThan(5);
    expect(outcomes.rejected).toBeGreaterThan(5);
  });
});

/** Every setting's dotted path with its default (tables count as one setting). */
function leafSettings(node: object, prefix = ''): { path: string; value: unknown }[] {
  return Object.entries(node).flatMap(([key, value]) =>
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? leafSettings(value, `${prefix}${key}.`)
      : [{ path: `${prefix}${key}`, value }],
  );
}

function anyValue(): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.double(),
    fc.integer({ min: -10, max: 100 }),
    fc.boolean(),
    fc.string(),
    fc.constant(null),
    fc.array(
      fc.record({
        input: fc.integer({ min: 0, max: 100 }),
        factor: fc.double({ min: 0, max: 1, noNaN: true }),
      }),
      {
        maxLength: 3,
      },
    ),
    fc.dictionary(fc.string(), fc.integer()),
  );
}
