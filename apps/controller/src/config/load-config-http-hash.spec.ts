import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadControllerConfig } from './load-config';

/** A well-formed salt and key, for hashes whose cost parameters are under test. */
const SALT = Buffer.from('saltsaltsalt').toString('base64');
const KEY = Buffer.alloc(32, 7).toString('base64');

describe('loading a config with a stored hash the credential check cannot use', () => {
  const HUGE_N = `scrypt$${2 ** 32}$8$1$${SALT}$${KEY}`;
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'tsbms-http-hash-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('from the file: INVALID_CONFIG naming http.auth.passwordHash', () => {
    const file = path.join(dir, 'bms.yaml');
    writeFileSync(file, `http:\n  auth:\n    username: admin\n    passwordHash: "${HUGE_N}"\n`);
    expect(() => loadControllerConfig(file, {})).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', configPath: 'http.auth.passwordHash' }),
    );
  });

  it('from the environment (TSBMS_HTTP_AUTH_PASSWORD_HASH): the same', () => {
    const file = path.join(dir, 'bms.yaml');
    writeFileSync(file, 'http:\n  auth:\n    username: admin\n');
    expect(() => loadControllerConfig(file, { TSBMS_HTTP_AUTH_PASSWORD_HASH: HUGE_N })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', configPath: 'http.auth.passwordHash' }),
    );
  });
});
