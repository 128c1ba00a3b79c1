import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ManualClock } from '@tsbms/hal';
import { SECRET_CONFIG_PATHS } from '../services/output-services';
import { readBackup } from './backup-file';
import { backupFileName, exportBackupText } from './export-backup';

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'tsbms-export-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('exportBackupText', () => {
  const clock = new ManualClock(Date.UTC(2026, 11, 5, 12, 30, 15, 250));

  it('backs up the files as they are: settings without secrets, the saved state; import takes it', () => {
    const configFile = path.join(dir, 'bms.yaml');
    writeFileSync(configFile, 'pack:\n  moduleCount: 2\nmqtt:\n  url: mqtt://b:1883\n  password: hunter2\n');
    const stateFile = `${configFile}.state.json`;
    const state = {
      version: 1,
      faults: null,
      soc: { socPercent: 50, sohPercent: 100, timestampMs: 1 },
      energy: null,
    };
    writeFileSync(stateFile, JSON.stringify(state));
    const { text, stateProblem } = exportBackupText({
      configFile,
      stateFile,
      clock,
      controllerVersion: '0.1.0',
    });
    expect(stateProblem).toBeNull();
    expect(text).not.toContain('hunter2');
    const restored = readBackup(text, {
      source: 'b',
      secretPaths: SECRET_CONFIG_PATHS,
      currentDocument: { mqtt: { password: 'hunter2' } },
      overrides: [],
    });
    expect(restored.configDocument).toEqual({
      pack: { moduleCount: 2 },
      mqtt: { url: 'mqtt://b:1883', password: 'hunter2' },
    });
    expect(restored.state).toEqual(state);
  });

  it('says why a state file it cannot use is left out, and backs up the settings anyway', () => {
    const stateFile = path.join(dir, 'state.json');
    writeFileSync(stateFile, '{"version": 9}');
    const { text, stateProblem } = exportBackupText({
      configFile: null,
      stateFile,
      clock,
      controllerVersion: '0.1.0',
    });
    expect(stateProblem).toMatch(/state\.json cannot be used \(unreadable: unknown version 9\)/);
    expect(JSON.parse(text)).toMatchObject({ config: {}, state: null });
  });

  it('names the file by its time, without characters a file system refuses', () => {
    expect(backupFileName(clock.now())).toBe('tsbms-backup-2026-12-05T12-30-15Z.json');
  });
});
