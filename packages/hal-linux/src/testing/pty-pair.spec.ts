import { existsSync, realpathSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SocatMissingError, startPtyPair } from './pty-pair';

describe('startPtyPair', () => {
  it('creates two linked pseudo-terminals and removes them and its folder on stop', async () => {
    const pair = await startPtyPair();
    try {
      expect(realpathSync(pair.pathA)).toMatch(/^\/dev\/pts\/\d+$/);
      expect(realpathSync(pair.pathB)).toMatch(/^\/dev\/pts\/\d+$/);
      const a = await open(pair.pathA, 'r+');
      const b = await open(pair.pathB, 'r+');
      try {
        await a.write(Buffer.from('ping'));
        const buffer = Buffer.alloc(4);
        const { bytesRead } = await b.read(buffer, 0, 4);
        expect(buffer.subarray(0, bytesRead).toString()).toBe('ping'.slice(0, bytesRead));
        expect(bytesRead).toBeGreaterThan(0);
      } finally {
        await a.close();
        await b.close();
      }
    } finally {
      await pair.stop();
    }
    expect(existsSync(pair.pathA)).toBe(false);
    expect(existsSync(dirname(pair.pathA))).toBe(false);
    await pair.stop();
  });

  it('reuses a given folder and leaves it in place', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'tsbms-pty-test-'));
    try {
      for (let round = 0; round < 2; round++) {
        const pair = await startPtyPair({ directory });
        expect(pair.pathA).toBe(join(directory, 'A'));
        expect(existsSync(pair.pathB)).toBe(true);
        await pair.stop();
        expect(existsSync(pair.pathA)).toBe(false);
      }
      expect(existsSync(directory)).toBe(true);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('throws a clear error, not a skip, when socat is missing', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'tsbms-pty-test-'));
    try {
      const failure = await startPtyPair({
        directory,
        socatCommand: join(directory, 'socat'),
      }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(SocatMissingError);
      expect((failure as Error).message).toContain('apt-get install socat');
      expect((failure as Error).message).toContain('tools/install-system-deps');
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('reports why socat gave up', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'tsbms-pty-test-'));
    try {
      // A link inside a folder that does not exist makes socat exit at once.
      await expect(startPtyPair({ directory: join(directory, 'missing') })).rejects.toThrow(
        /socat exited \(code \d+\) before the pty pair was ready/,
      );
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
