import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { tarArchive, tarGz, ustarHeader, type TarEntry } from './tar-writer';

/** 2026-12-06T06:00:00Z, a whole second. */
const MTIME_MS = Date.UTC(2026, 11, 6, 6, 0, 0);
const NAME_100 = `${'n'.repeat(95)}.json`;

const ENTRIES: readonly TarEntry[] = [
  { name: 'config.json', body: Buffer.from('{"pack":{"moduleCount":2}}\n') },
  { name: 'empty.txt', body: Buffer.alloc(0) },
  { name: NAME_100, body: Buffer.from('a name of exactly 100 bytes\n') },
  { name: 'one-block.bin', body: randomBytes(512) },
  { name: 'recording.jsonl', body: randomBytes(1024 * 1024) },
  { name: 'utf8-ü.txt', body: Buffer.from('grüße ✓\n') },
];

describe('tarArchive: a ustar archive the system tar reads', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'tsbms-tar-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('extracts with `tar -xzf` to every file byte for byte, with mode 0644 and the mtime, and no warning', () => {
    expect(Buffer.byteLength(NAME_100)).toBe(100);
    const archive = path.join(dir, 'bundle.tar.gz');
    writeFileSync(archive, tarGz(ENTRIES, { mtimeMs: MTIME_MS }));
    const out = path.join(dir, 'out');
    const result = spawnSync(
      'sh',
      ['-c', `mkdir "${out}" && umask 022 && tar -xzf "${archive}" -C "${out}"`],
      {
        encoding: 'utf8',
      },
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(readdirSync(out).sort()).toEqual(ENTRIES.map((entry) => entry.name).sort());
    for (const entry of ENTRIES) {
      const file = path.join(out, entry.name);
      expect({ name: entry.name, equal: readFileSync(file).equals(entry.body) }).toEqual({
        name: entry.name,
        equal: true,
      });
      const stat = statSync(file);
      expect(stat.size).toBe(entry.body.length);
      expect(stat.mode & 0o777).toBe(0o644);
      expect(stat.mtimeMs).toBe(MTIME_MS);
    }
  });

  it('lists the entries in order with their sizes (`tar -tvzf`)', () => {
    const archive = path.join(dir, 'bundle.tar.gz');
    writeFileSync(archive, tarGz(ENTRIES, { mtimeMs: MTIME_MS }));
    const result = spawnSync('tar', ['--numeric-owner', '--quoting-style=literal', '-tvzf', archive], {
      encoding: 'utf8',
      env: { ...process.env, TZ: 'UTC', LC_ALL: 'C' },
    });
    expect(result.status).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(ENTRIES.length);
    lines.forEach((line, i) => {
      const [mode, owner, size] = line.split(/\s+/);
      expect({ mode, owner, size: Number(size) }).toEqual({
        mode: '-rw-r--r--',
        owner: '0/0',
        size: ENTRIES[i].body.length,
      });
      expect(line).toContain('2026-12-06 06:00');
      expect(line.endsWith(` ${ENTRIES[i].name}`)).toBe(true);
    });
  });

  it('pads every file to 512 bytes and ends with two zero blocks', () => {
    const tar = tarArchive(ENTRIES, { mtimeMs: MTIME_MS });
    const padded = ENTRIES.reduce((sum, entry) => sum + 512 + Math.ceil(entry.body.length / 512) * 512, 0);
    expect(tar.length).toBe(padded + 1024);
    expect(tar.subarray(tar.length - 1024).equals(Buffer.alloc(1024))).toBe(true);
    expect(gunzipSync(tarGz(ENTRIES, { mtimeMs: MTIME_MS })).equals(tar)).toBe(true);
  });

  it('writes the header fields and a checksum over the header with the checksum field as spaces', () => {
    const header = ustarHeader('status.json', 1234, MTIME_MS);
    expect(header.length).toBe(512);
    const field = (offset: number, length: number) => header.toString('latin1', offset, offset + length);
    expect(field(0, 12)).toBe('status.json\0');
    expect(field(100, 8)).toBe('0000644\0');
    expect(field(124, 12)).toBe(`${(1234).toString(8).padStart(11, '0')}\0`);
    expect(field(136, 12)).toBe(`${(MTIME_MS / 1000).toString(8).padStart(11, '0')}\0`);
    expect(field(156, 1)).toBe('0');
    expect(field(257, 8)).toBe('ustar\u000000');
    const stored = parseInt(field(148, 6), 8);
    expect(field(154, 2)).toBe('\0 ');
    const summed = Buffer.from(header);
    summed.write('        ', 148, 'latin1');
    expect(stored).toBe(summed.reduce((sum, byte) => sum + byte, 0));
  });

  it('refuses names it cannot store and a name given twice', () => {
    expect(() => ustarHeader('x'.repeat(101), 0, MTIME_MS)).toThrow(/longer than 100 bytes/);
    expect(() => ustarHeader('', 0, MTIME_MS)).toThrow(/empty name/);
    expect(() => ustarHeader('../etc/passwd', 0, MTIME_MS)).toThrow(/not a plain relative name/);
    expect(() => ustarHeader('/etc/passwd', 0, MTIME_MS)).toThrow(/not a plain relative name/);
    const twice = [ENTRIES[0], ENTRIES[0]];
    expect(() => tarArchive(twice, { mtimeMs: MTIME_MS })).toThrow(
      expect.objectContaining({ code: 'BAD_ENTRY', entry: 'config.json' }),
    );
  });
});
