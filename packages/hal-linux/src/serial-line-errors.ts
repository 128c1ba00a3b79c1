import type { LineErrorCounts } from '@tsbms/hal';
import { nativeAddonPath } from './native-addon';

/** The kernel's serial_icounter_struct fields the addon (native/serial.c) returns. */
export interface KernelLineCounts {
  readonly frame: number;
  readonly overrun: number;
  readonly parity: number;
  readonly brk: number;
  readonly bufOverrun: number;
}

export interface NativeSerialBinding {
  /** TIOCGICOUNT on `fd`; throws a system error (.errno, .syscall) when the device has no counters. */
  readLineErrorCounts(fd: number): KernelLineCounts;
  readonly abi: { readonly icountIoctl: number; readonly icountSize: number };
}

let loaded: NativeSerialBinding | undefined;

/** Loads the addon once; throws Node's error (MODULE_NOT_FOUND...) when it is not built. */
export function loadNativeSerialBinding(): NativeSerialBinding {
  loaded ??= require(nativeAddonPath('tsbms_serial')) as NativeSerialBinding;
  return loaded;
}

/**
 * The UART's framing errors and overruns on `fd`, as the kernel counts them (TIOCGICOUNT), or null
 * when it does not: a pseudo-terminal or a driver without counters (EINVAL, ENOTTY), a closed fd,
 * or an addon that is not built. Counted since the driver loaded: callers subtract a baseline.
 */
export function readLineErrorCounts(
  fd: number,
  binding: () => Pick<NativeSerialBinding, 'readLineErrorCounts'> = loadNativeSerialBinding,
): LineErrorCounts | null {
  try {
    const counts = binding().readLineErrorCounts(fd);
    return { framingErrors: counts.frame, overruns: counts.overrun + counts.bufOverrun };
  } catch {
    return null;
  }
}
