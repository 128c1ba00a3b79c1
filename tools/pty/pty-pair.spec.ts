import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, realpathSync, symlinkSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

// Runs the real script with the real socat. Waits are upper bounds only.
const SCRIPT = join(__dirname, '..', 'pty-pair');
const WAIT_CAP_MS = 5000;

let folder: string;
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'tsbms-pty-pair-test-'));
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

function firstLines(child: ChildProcess, count: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const lines: string[] = [];
    const timer = setTimeout(
      () => reject(new Error(`no ${count} lines within ${WAIT_CAP_MS} ms`)),
      WAIT_CAP_MS,
    );
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`pty-pair exited early with ${code}`));
    });
    if (!child.stdout) throw new Error('stdout must be piped');
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      if (lines.length === count) {
        clearTimeout(timer);
        resolve(lines);
      }
    });
  });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('tools/pty-pair', () => {
  it('prints both link paths, carries bytes between them and removes them when killed', async () => {
    const linkA = join(folder, 'emulator');
    const linkB = join(folder, 'controller');
    const child = spawn(SCRIPT, [linkA, linkB], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      expect(await firstLines(child, 2)).toEqual([linkA, linkB]);
      expect(realpathSync(linkA)).toMatch(/^\/dev\/pts\/\d+$/);
      expect(realpathSync(linkB)).toMatch(/^\/dev\/pts\/\d+$/);
      const a = await open(linkA, 'r+');
      const b = await open(linkB, 'r+');
      try {
        await a.write(Buffer.from([0x7f, 0x3c, 0xa5, 0x57]));
        const buffer = Buffer.alloc(4);
        const { bytesRead } = await b.read(buffer, 0, 4);
        expect(bytesRead).toBeGreaterThan(0);
        expect([...buffer.subarray(0, bytesRead)]).toEqual([0x7f, 0x3c, 0xa5, 0x57].slice(0, bytesRead));
      } finally {
        await a.close();
        await b.close();
      }
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exitOf(child)).toBe(0);
    expect(existsSync(linkA) || existsSync(linkB)).toBe(false);
  });

  it('replaces a dangling link left by a killed pair but refuses a live path', async () => {
    const stale = join(folder, 'A');
    symlinkSync('/dev/pts/does-not-exist', stale);
    const taken = join(folder, 'taken');
    symlinkSync(folder, taken);
    const refused = spawnSync(SCRIPT, [stale, taken], { encoding: 'utf8' });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`${taken} already exists`);

    const child = spawn(SCRIPT, [stale, join(folder, 'B')], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await firstLines(child, 2);
      expect(realpathSync(stale)).toMatch(/^\/dev\/pts\/\d+$/);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exitOf(child)).toBe(0);
    expect(lstatSync(taken).isSymbolicLink()).toBe(true);
  });

  it('exits 127 with an install hint when socat is missing', () => {
    // A PATH holding only bash: the script finds its interpreter but no socat.
    symlinkSync(
      spawnSync('bash', ['-c', 'command -v bash'], { encoding: 'utf8' }).stdout.trim(),
      join(folder, 'bash'),
    );
    const result = spawnSync(SCRIPT, [], { encoding: 'utf8', env: { PATH: folder } });
    expect(result.status).toBe(127);
    expect(result.stderr).toContain('apt-get install socat');
    expect(result.stderr).toContain('tools/install-system-deps');
  });

  it('rejects wrong usage with exit code 2', () => {
    const result = spawnSync(SCRIPT, ['only-one'], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('usage: tools/pty-pair [LINK_A LINK_B]');
  });
});
