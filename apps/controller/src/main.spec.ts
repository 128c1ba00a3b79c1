import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';

const workspaceRoot = path.resolve(__dirname, '..', '..', '..');

/** Runs the controller as `npm run controller` does: from source, in its own process. */
function controller(args: string[]) {
  return spawnSync(
    process.execPath,
    ['--conditions=@tsbms/source', '-r', '@swc-node/register', 'apps/controller/src/main.ts', ...args],
    { cwd: workspaceRoot, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NODE_ENV: 'test' } },
  );
}

describe('controller process', () => {
  jest.setTimeout(60_000);

  it('--once --json on the embedded emulator prints the status snapshot', () => {
    const result = controller(['--once', '--json', '--modules', '2']);
    expect(result.stderr).toContain('running on an in-process EMULATED pack of 2 modules');
    expect(result.status).toBe(0);
    const status = JSON.parse(result.stdout);
    expect(status.modules.map((m: { address: number }) => m.address)).toEqual([1, 2]);
    for (const module of status.modules) {
      expect(module.voltageV).toBeGreaterThan(23);
      expect(module.voltageV).toBeLessThan(24);
      expect(module.temperaturesC).toHaveLength(2);
      for (const t of module.temperaturesC) expect(t).toBeCloseTo(25, -1);
      expect(module.cells).toHaveLength(6);
      for (const cell of module.cells) {
        expect(cell.voltageV).toBeGreaterThan(3.9);
        expect(cell.voltageV).toBeLessThan(4.0);
        expect(cell.balancing).toBe(false); // one scan decides nothing (MEASURE first)
      }
    }
    expect(status.faults).toEqual([]);
    expect(Array.isArray(status.alerts)).toBe(true);
    expect(status.contactors.state).toBe('OPEN');
    expect(status.limits).toEqual({ cvlV: expect.any(Number), cclA: 0, dclA: 0 });
    expect(status.socPercent).toBeGreaterThan(50);
    expect(status.strings).toEqual([{ index: 0, moduleAddresses: [1, 2], voltageV: expect.any(Number) }]);
    expect(status.extremes.lowestCell.voltageV).toBeLessThanOrEqual(status.extremes.highestCell.voltageV);
    // Logs are JSON lines on stderr (not a TTY), one per state change.
    const logs = result.stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line));
    expect(logs.map((l) => l.event)).toEqual(
      expect.arrayContaining(['link', 'discovery', 'setup', 'shutdown']),
    );
  });

  it('--once without --json prints readable lines', () => {
    const result = controller(['--once', '--modules', '1']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^modules: 1 found of 1\n {3}1: 23\.\d\d V {2}cells 3\.9\d\d/);
    expect(result.stdout).toContain('contactors: OPEN (startup)');
  });

  it('SIGTERM with the contactors closed: relays open and CB_CTRL = 0 is sent before the exit', async () => {
    const child = spawn(
      process.execPath,
      [
        '--conditions=@tsbms/source',
        '-r',
        '@swc-node/register',
        'apps/controller/src/main.ts',
        '--modules',
        '2',
      ],
      { cwd: workspaceRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // An upper bound on real I/O, not a timing assertion: the demo closes in about 7 s.
    await new Promise<void>((resolve, reject) => {
      const cap = setTimeout(() => reject(new Error(`contactors never closed:\n${stderr}`)), 30_000);
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('"msg":"contactors CLOSED"')) {
          clearTimeout(cap);
          resolve();
        }
      });
    }).catch((error: unknown) => {
      // A failed wait must not leave the daemon running (and Jest waiting for it).
      child.kill('SIGKILL');
      throw error;
    });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const events = stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
      .map((l) => l.msg as string);
    const after = events.slice(events.indexOf('SIGTERM: shutting down'));
    expect(after[0]).toBe('SIGTERM: shutting down');
    expect(after).toContain('contactors OPEN (shutdown)');
    expect(after.at(-1)).toBe('shutdown: outputs off, balancing stopped on every board (CB_CTRL = 0)');
  });

  it('exits 2 with one line on a bad option', () => {
    const result = controller(['--modules', '99']);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('controller: --modules must be a whole number from 1 to 62, got "99"\n');
    expect(result.stdout).toBe('');
  });

  it('exits 2 with one line naming the file when the config cannot be used', () => {
    const result = controller(['--once', '--config', '/tmp/tsbms-no-such-config.yaml']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^controller: .*\/tmp\/tsbms-no-such-config\.yaml.*\n$/);
    expect(result.stdout).toBe('');
  });

  it('prints the usage on --help', () => {
    const result = controller(['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Usage: npm run controller -- [options]');
  });

  it('exits 1 naming the device when the serial port cannot be opened', () => {
    const result = controller(['--once', '--serial', '/dev/tsbms-no-such-port']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/controller: .*\/dev\/tsbms-no-such-port/);
    expect(result.stdout).toBe('');
  });
});
