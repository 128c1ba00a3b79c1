import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isValidInterfaceName, readInterfaceState } from './network-interface';

describe('isValidInterfaceName', () => {
  it.each(['can0', 'vcan0', 'lo', 'can-bms.1', 'a'.repeat(15)])('accepts %s', (name) => {
    expect(isValidInterfaceName(name)).toBe(true);
  });

  it.each(['', '.', '..', '../x', 'can 0', 'can0:1', 'a'.repeat(16)])('rejects "%s"', (name) => {
    expect(isValidInterfaceName(name)).toBe(false);
  });
});

describe('readInterfaceState', () => {
  let sysfs: string;
  beforeEach(async () => {
    sysfs = await mkdtemp(join(tmpdir(), 'tsbms-sysfs-'));
  });
  afterEach(() => rm(sysfs, { recursive: true, force: true }));

  async function fakeInterface(name: string, flags: string): Promise<void> {
    await mkdir(join(sysfs, name));
    await writeFile(join(sysfs, name, 'flags'), flags);
  }

  it('reads IFF_UP from the flags file as the kernel writes it', async () => {
    await fakeInterface('vcan0', '0x81\n'); // vcan after `ip link set vcan0 up`
    await fakeInterface('vcan1', '0x80\n'); // and after `ip link set vcan1 down`
    await fakeInterface('can0', '0x40c1\n'); // UP|RUNNING|NOARP|ECHO
    expect(await readInterfaceState('vcan0', sysfs)).toBe('up');
    expect(await readInterfaceState('vcan1', sysfs)).toBe('down');
    expect(await readInterfaceState('can0', sysfs)).toBe('up');
    expect(await readInterfaceState('can1', sysfs)).toBe('missing');
  });

  it('finds the loopback interface up in the real /sys/class/net', async () => {
    expect(await readInterfaceState('lo')).toBe('up');
  });

  it('passes on errors other than a missing interface', async () => {
    await mkdir(join(sysfs, 'can0', 'flags'), { recursive: true }); // a folder: EISDIR
    await expect(readInterfaceState('can0', sysfs)).rejects.toMatchObject({ code: 'EISDIR' });
  });
});
