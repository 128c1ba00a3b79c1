import type { PersistedBmsState } from '@tsbms/bms-core';
import { configErrorOf } from '../config/testing/config-error';
import { backupText, createBackup, readBackup } from './backup-file';

const SECRETS = ['mqtt.password', 'http.auth.passwordHash'];
const DOCUMENT = {
  pack: { moduleCount: 4, parallelStringCount: 2 },
  cells: { cellHighVoltageV: 4.05 },
  mqtt: { url: 'mqtt://broker.lan:1883', username: 'bms', password: 'broker-secret' },
  inverter: { profile: 'pylontech', interface: 'can0' },
};
const STATE: PersistedBmsState = {
  version: 1,
  faults: {
    version: 1,
    faults: [
      // As saved before issue 17, without the threshold the value was compared with.
      {
        kind: 'cellOverVoltage',
        level: 'fault',
        location: { moduleAddress: 2, cellIndex: 2, quantity: 'cellVoltage' },
        value: 4.21,
        sinceMs: Date.UTC(2026, 10, 30),
      },
      {
        kind: 'moduleCountMismatch',
        level: 'fault',
        location: {},
        value: 3,
        threshold: 4,
        detail: 'discovered 3, configured 4',
        sinceMs: Date.UTC(2026, 11, 1),
      },
    ],
  },
  soc: { socPercent: 63.5, sohPercent: 97, timestampMs: Date.UTC(2026, 11, 5) },
  energy: { chargedAh: 1234.5, dischargedAh: 1200, chargedWh: 61_000, dischargedWh: 58_000 },
};

const exported = () =>
  backupText(
    createBackup({
      configDocument: DOCUMENT,
      secretPaths: SECRETS,
      state: STATE,
      createdAtMs: Date.UTC(2026, 11, 5, 12),
      controllerVersion: '0.1.0',
    }),
  );
const read = (text: string, currentDocument: unknown = DOCUMENT) =>
  readBackup(text, { source: 'backup.json', secretPaths: SECRETS, currentDocument, overrides: [] });
/** The exported backup with the value at `keys` set to `value`, as someone editing the file would. */
const edited = (keys: readonly (string | number)[], value: unknown) => {
  const backup: unknown = JSON.parse(exported());
  const parent = keys.slice(0, -1).reduce<unknown>((node, key) => Reflect.get(node as object, key), backup);
  Reflect.set(parent as object, keys[keys.length - 1], value);
  return JSON.stringify(backup);
};

describe('backup file', () => {
  it('round trip: the same settings and state come back, the secrets from the machine it is restored on', () => {
    const restored = read(exported());
    expect(restored.configDocument).toEqual(DOCUMENT);
    expect(restored.state).toEqual(STATE);
    expect(restored.config.inverter).toMatchObject({ profile: 'pylontech', interface: 'can0' });
    expect(restored.createdAt).toBe('2026-12-05T12:00:00.000Z');
  });

  it('never carries a secret; restored where there is none, the secret is left to the environment', () => {
    const text = exported();
    expect(text).not.toContain('broker-secret');
    expect(JSON.parse(text).config.mqtt.password).toBe('***');
    const restored = read(text, {});
    expect(restored.configDocument).toEqual({
      ...DOCUMENT,
      mqtt: { url: 'mqtt://broker.lan:1883', username: 'bms' },
    });
  });

  it.each([
    ['a setting out of range', ['config', 'cells', 'cellHighVoltageV'], 9, 'config.cells.cellHighVoltageV'],
    ['an unknown setting', ['config', 'cells', 'cellHighVolts'], 4.1, 'config.cells.cellHighVolts'],
    ['a SoC over 100 %', ['state', 'soc', 'socPercent'], 150, 'state.soc.socPercent'],
    [
      'an unknown fault kind',
      ['state', 'faults', 'faults', 0, 'kind'],
      'gremlins',
      'state.faults.faults[0].kind',
    ],
    ['a negative counter', ['state', 'energy', 'chargedWh'], -5, 'state.energy.chargedWh'],
    ['another format', ['format'], 'something-else', 'format'],
  ])('refuses %s with the path of the bad value', (_what, keys, value, path) => {
    const error = configErrorOf(() => read(edited(keys, value)));
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.issues[0].configPath).toBe(path);
    expect(error.message.startsWith(`backup.json: ${path}: `)).toBe(true);
  });

  it('refuses a value edited within its range: the checksum no longer matches', () => {
    const error = configErrorOf(() => read(edited(['state', 'soc', 'socPercent'], 95)));
    expect(error.issues).toEqual([
      {
        configPath: 'sha256',
        reason: 'the content does not match its checksum: the backup was changed after it was exported',
      },
    ]);
  });

  it('refuses what is not JSON, saying so', () => {
    expect(configErrorOf(() => read('{"format": ')).message).toMatch(/^backup\.json: not JSON: /);
  });

  it('the checksum does not depend on key order', () => {
    const reordered = JSON.parse(exported()) as { config: Record<string, unknown> };
    reordered.config = Object.fromEntries(Object.entries(reordered.config).reverse());
    expect(read(JSON.stringify(reordered)).configDocument).toEqual(DOCUMENT);
  });
});
