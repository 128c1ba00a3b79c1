import { requireFiniteNumber, sleepMs, type Clock } from '@tsbms/hal';
import { requireClockOptions, requireTeslaBus } from './argument-guards';
import type { TeslaBus } from './bus';
import { isTeslaProtocolError, TeslaProtocolError } from './errors';
import {
  AddressControl,
  MAX_MODULE_ADDRESS,
  MIN_MODULE_ADDRESS,
  Register,
  RESET_MAGIC,
  UNADDRESSED,
} from './registers';

export interface DiscoveryOptions {
  readonly clock: Clock;
  /** Configured number of modules N: addresses 1..N are probed first (T-14). */
  readonly expectedCount: number;
  /** Timeout of each probe read (default 40 ms). */
  readonly probeTimeoutMs?: number;
  /** Broadcast RESET attempts (default 3, T-15). */
  readonly resetTries?: number;
  /** Wait after the reset before addressing (default 100 ms). */
  readonly resetSettleMs?: number;
}

export type DiscoveryEnd =
  /** Every expected address answered its probe: nothing was renumbered. */
  | 'allAnswered'
  /** Renumbered; the address-0 read came back unchanged: no unaddressed module left. */
  | 'chainEnd'
  /** Renumbered up to the highest address (62). */
  | 'maxAddress'
  /** Renumbering stopped on an error; `addresses` holds the modules assigned before it. */
  | 'error';

export interface DiscoveryResult {
  /** Module addresses that answer, in chain order. */
  readonly addresses: readonly number[];
  readonly renumbered: boolean;
  readonly end: DiscoveryEnd;
  readonly error?: TeslaProtocolError;
}

export const DEFAULT_PROBE_TIMEOUT_MS = 40;
export const DEFAULT_RESET_TRIES = 3;
export const DEFAULT_RESET_SETTLE_MS = 100;

/**
 * Finds the modules on the loop (T-14, T-15): probes 1..N and, only if one does not answer,
 * resets every module and assigns addresses 1, 2, … in chain order, verifying each by
 * read-back. Every step is bounded by bus timeouts, so it never hangs. The caller compares the
 * count with its configuration (T-16). Throws only when the broadcast reset fails or the link closes.
 */
export async function discoverModules(bus: TeslaBus, options: DiscoveryOptions): Promise<DiscoveryResult> {
  requireDiscoveryArguments(bus, options);
  // Not a count would probe nothing and renumber the whole chain.
  requireFiniteNumber(options.expectedCount, 'options.expectedCount');
  const expected = Math.min(Math.max(0, Math.floor(options.expectedCount)), MAX_MODULE_ADDRESS);
  const probeTimeoutMs = options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  let allAnswered = expected > 0;
  for (let address = MIN_MODULE_ADDRESS; address <= expected; address++) {
    try {
      await bus.readRegister(address, Register.DEVICE_STATUS, {
        timeoutMs: probeTimeoutMs,
      });
    } catch (error) {
      if (isTeslaProtocolError(error, 'LINK_CLOSED')) throw error;
      allAnswered = false;
      break;
    }
  }
  if (allAnswered) {
    return Object.freeze({
      addresses: Object.freeze(range(1, expected)),
      renumbered: false,
      end: 'allAnswered',
    });
  }
  return assignAddresses(bus, options);
}

/** Broadcast reset and renumbering (T-15). */
export async function assignAddresses(bus: TeslaBus, options: DiscoveryOptions): Promise<DiscoveryResult> {
  requireDiscoveryArguments(bus, options);
  const resetTries = options.resetTries ?? DEFAULT_RESET_TRIES;
  // The bus accepts only the exact echo 7F 3C A5 57.
  await bus.broadcastRegister(Register.RESET, RESET_MAGIC, {
    retries: Math.max(0, resetTries - 1),
  });
  await sleepMs(options.clock, options.resetSettleMs ?? DEFAULT_RESET_SETTLE_MS);

  const addresses: number[] = [];
  const result = (end: DiscoveryEnd, error?: TeslaProtocolError): DiscoveryResult =>
    Object.freeze({
      addresses: Object.freeze(addresses),
      renumbered: true,
      end,
      ...(error ? { error } : {}),
    });

  for (let next = MIN_MODULE_ADDRESS; next <= MAX_MODULE_ADDRESS; next++) {
    try {
      // A reply (the bus requires bit 7) means an unaddressed module is next in the chain.
      await bus.readRegister(UNADDRESSED, Register.DEVICE_STATUS);
    } catch (error) {
      if (isTeslaProtocolError(error, 'NO_SUCH_MODULE')) return result('chainEnd');
      return result('error', recoverable(error));
    }
    try {
      await bus.writeRegister(UNADDRESSED, Register.ADDRESS_CONTROL, next | AddressControl.ADDR_RQST);
      const readBack = await bus.readRegister(next, Register.ADDRESS_CONTROL);
      if ((readBack & AddressControl.ADDRESS_MASK) !== next) {
        throw new TeslaProtocolError(
          'VERIFY_FAILED',
          `ADDRESS_CONTROL reads 0x${readBack.toString(16)}, expected address ${next}`,
          {
            address: next,
            register: Register.ADDRESS_CONTROL,
          },
        );
      }
    } catch (error) {
      return result('error', recoverable(error));
    }
    addresses.push(next);
  }
  return result('maxAddress');
}

function requireDiscoveryArguments(bus: unknown, options: unknown): void {
  requireTeslaBus(bus, 'bus');
  requireClockOptions(options, 'options', 'discovery options');
}

/** A protocol failure ends renumbering with a partial result; a closed link or a bug is thrown. */
function recoverable(error: unknown): TeslaProtocolError {
  if (!(error instanceof TeslaProtocolError) || error.code === 'LINK_CLOSED') throw error;
  return error;
}

function range(first: number, last: number): number[] {
  const values: number[] = [];
  for (let value = first; value <= last; value++) values.push(value);
  return values;
}
