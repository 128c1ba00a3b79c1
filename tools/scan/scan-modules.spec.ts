import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { parseScanOptions } from './scan-options';

const workspaceRoot = path.resolve(__dirname, '..', '..');

/** Runs the scan tool as `npm run scan` does, from source, in its own process. */
function scan(args: string[]) {
  return spawnSync(
    process.execPath,
    ['--conditions=@tsbms/source', '-r', '@swc-node/register', 'tools/scan/scan-modules.ts', ...args],
    { cwd: workspaceRoot, encoding: 'utf8', timeout: 60_000 },
  );
}

describe('scan tool options', () => {
  it('defaults to 4 modules at 612500 baud with CRC reads and no serial path', () => {
    expect(parseScanOptions([])).toEqual({
      serialPath: undefined,
      baudRate: 612500,
      modules: 4,
      readWithCrc: true,
      replyTimeoutMs: 100,
    });
  });

  it('reads every option', () => {
    expect(
      parseScanOptions([
        '--serial',
        '/dev/ttyUSB0',
        '--baud',
        '617647',
        '--modules',
        '62',
        '--three-byte-reads',
        '--timeout-ms',
        '250',
      ]),
    ).toEqual({
      serialPath: '/dev/ttyUSB0',
      baudRate: 617647,
      modules: 62,
      readWithCrc: false,
      replyTimeoutMs: 250,
    });
  });

  it.each([
    [['--modules', '0'], /--modules must be a whole number from 1 to 62, got "0"/],
    [['--baud', '6e5x'], /--baud/],
    [['--timeout-ms', '-5'], /--timeout-ms/],
    [['--serial'], /argument missing/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseScanOptions(argv)).toThrow(message);
  });
});

describe('scan tool process', () => {
  jest.setTimeout(60_000);

  it('without --serial scans an in-process emulated pack and prints JSON', () => {
    const result = scan(['--modules', '2']);
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('no --serial given: scanning an in-process emulated pack of 2 modules');
    const output = JSON.parse(result.stdout);
    expect(output.source).toBe('emulated');
    expect(output.discovery.addresses).toEqual([1, 2]);
    expect(output.reading.modules).toHaveLength(2);
    for (const module of output.reading.modules) {
      expect(module.commsOk).toBe(true);
      expect(module.cellVoltagesV).toHaveLength(6);
      expect(module.hardwareFlags).toEqual([]); // setup cleared POR and AR
    }
  });

  it('exits 1 with the path when the serial port does not exist', () => {
    const result = scan(['--serial', '/dev/tsbms-no-such-port']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/scan: cannot open \/dev\/tsbms-no-such-port/);
    expect(result.stdout).toBe('');
  });

  it('exits 2 on a bad option', () => {
    const result = scan(['--modules', '99']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--modules must be a whole number from 1 to 62/);
  });
});
