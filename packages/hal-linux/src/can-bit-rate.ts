import { execFile } from 'node:child_process';
import { isValidInterfaceName } from './network-interface';

/*
 * The bit rate the kernel runs a CAN interface at. It is set outside the BMS (systemd-networkd's
 * BitRate=, `ip link set … type can bitrate`), and the service has no CAP_NET_ADMIN to set it, so
 * the output can only read it back and say when it differs from the configured one. iproute2's
 * JSON has it at linkinfo.info_data.bittiming.bitrate; a vcan has no bit timing at all.
 */

/** Runs `ip` with the arguments and resolves its standard output (injectable for tests). */
export type RunIp = (args: readonly string[]) => Promise<string>;

const runIp: RunIp = (args) =>
  new Promise((resolve, reject) => {
    execFile('ip', [...args], { timeout: 5000 }, (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    );
  });

/**
 * The bit rate in bit/s from `ip -details -json link show dev IFACE`'s output; null when the
 * interface has none (vcan, or a CAN interface not configured yet) or the text is not that JSON.
 */
export function bitRateFromIpLinkJson(text: string): number | null {
  let links: unknown;
  try {
    links = JSON.parse(text);
  } catch {
    return null;
  }
  const link: unknown = Array.isArray(links) ? links[0] : undefined;
  const bitrate: unknown = path(link, ['linkinfo', 'info_data', 'bittiming', 'bitrate']);
  return typeof bitrate === 'number' && Number.isFinite(bitrate) && bitrate > 0 ? bitrate : null;
}

function path(value: unknown, keys: readonly string[]): unknown {
  let at = value;
  for (const key of keys) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = Reflect.get(at, key);
  }
  return at;
}

/**
 * The interface's bit rate in bit/s, null when it has none (vcan). Rejects when `ip` cannot be run
 * or the interface does not exist (its message says which).
 */
export async function readCanBitRate(iface: string, run: RunIp = runIp): Promise<number | null> {
  // The name becomes an argument of `ip`: nothing that could read as an option or a path.
  if (!isValidInterfaceName(iface) || iface.startsWith('-'))
    throw new Error(`not an interface name: "${iface}"`);
  return bitRateFromIpLinkJson(await run(['-details', '-json', 'link', 'show', 'dev', iface]));
}
