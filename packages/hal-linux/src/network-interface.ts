import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where Linux lists network interfaces, one folder each. */
export const SYSFS_NET_DIRECTORY = '/sys/class/net';

const IFF_UP = 0x1;
/** IFNAMSIZ is 16 including the terminating NUL. */
const MAX_INTERFACE_NAME_LENGTH = 15;

/**
 * True for a name the kernel could give an interface. Checked before the name becomes part of a
 * sysfs path, so `../..` cannot point elsewhere.
 */
export function isValidInterfaceName(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= MAX_INTERFACE_NAME_LENGTH &&
    name !== '.' &&
    name !== '..' &&
    !/[\s/:]/.test(name)
  );
}

export type InterfaceState = 'up' | 'down' | 'missing';

/**
 * Whether the interface exists and is administratively up (`ip link set IFACE up`). A CAN socket
 * binds to a down interface without complaint and then fails at once, so the adapter asks first.
 */
export async function readInterfaceState(
  iface: string,
  sysfsNetDirectory = SYSFS_NET_DIRECTORY,
): Promise<InterfaceState> {
  let flags: string;
  try {
    flags = await readFile(join(sysfsNetDirectory, iface, 'flags'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
  return (Number.parseInt(flags.trim(), 16) & IFF_UP) !== 0 ? 'up' : 'down';
}
