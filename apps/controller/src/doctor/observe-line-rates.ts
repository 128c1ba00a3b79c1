import type { ByteLink, Clock } from '@tsbms/hal';
import { DEFAULT_PROBE_TIMEOUT_MS, MAX_MODULE_ADDRESS, Register, TeslaBus } from '@tsbms/tesla-protocol';
import { needsSecondLook, type ProbeOutcome, type RateProbeObservation } from '@tsbms/commissioning';
import { failureOf, rethrowIfClosed } from './transaction-failure';

/*
 * The doctor's first look at the line: the port opened at each rate in turn and a few read-only
 * transactions tried, so that a rate the adapter rounds badly is found before anything else is
 * judged. Nothing is written to any register.
 */

export interface LineRateProbeOptions {
  readonly rates: readonly number[];
  /** Opens the port at a rate; rejects when it cannot. */
  readonly openAt: (baudRate: number) => Promise<ByteLink>;
  readonly clock: Clock;
  /** The modules the pack should have: the echo requests go to the address after them. */
  readonly expectedModules: number;
  readonly readWithCrc?: boolean;
  /** How long each transaction waits for its reply; default T-14's probe timeout (40 ms). */
  readonly replyTimeoutMs?: number;
  /** Echo requests and module reads per rate. Default 3 each. */
  readonly attempts?: number;
  readonly onRate?: (probe: RateProbeObservation) => void;
}

export const DEFAULT_RATE_PROBE_ATTEMPTS = 3;

/** A framing-error count, or null when the port does not report one. */
export function framingErrorsOf(link: ByteLink): number | null {
  return link.lineErrors?.()?.framingErrors ?? null;
}

/** Each rate in turn, then the first (the one asked) again when {@link needsSecondLook} says so. */
export async function probeLineRates(options: LineRateProbeOptions): Promise<RateProbeObservation[]> {
  const probes: RateProbeObservation[] = [];
  const probe = async (baudRate: number) => {
    const observed = await probeRate(baudRate, options);
    probes.push(observed);
    options.onRate?.(observed);
  };
  for (const baudRate of options.rates) await probe(baudRate);
  const asked = options.rates[0];
  if (asked !== undefined && needsSecondLook(asked, probes)) await probe(asked);
  return probes;
}

async function probeRate(baudRate: number, options: LineRateProbeOptions): Promise<RateProbeObservation> {
  let link: ByteLink;
  try {
    link = await options.openAt(baudRate);
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0];
    return { baudRate, opened: false, error: reason, echoes: [], reads: [], framingErrors: null };
  }
  const bus = new TeslaBus(link, {
    clock: options.clock,
    retries: 0,
    ...(options.readWithCrc === undefined ? {} : { readWithCrc: options.readWithCrc }),
  });
  const attempts = options.attempts ?? DEFAULT_RATE_PROBE_ATTEMPTS;
  const timeoutMs = options.replyTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  // The address after the pack's: a closed loop returns a request to it unchanged (T-5).
  const echoAddress = options.expectedModules < MAX_MODULE_ADDRESS ? options.expectedModules + 1 : null;
  const before = framingErrorsOf(link);
  const echoes: ProbeOutcome[] = [];
  const reads: ProbeOutcome[] = [];
  try {
    for (let i = 0; i < attempts; i++) {
      if (echoAddress !== null) echoes.push(await outcomeOf(bus, echoAddress, timeoutMs));
      reads.push(await outcomeOf(bus, 1, timeoutMs));
    }
  } finally {
    bus.dispose();
  }
  const after = framingErrorsOf(link);
  await link.close();
  return {
    baudRate,
    opened: true,
    echoes,
    reads,
    framingErrors: before === null || after === null ? null : after - before,
  };
}

async function outcomeOf(bus: TeslaBus, address: number, timeoutMs: number): Promise<ProbeOutcome> {
  try {
    await bus.readRegister(address, Register.DEVICE_STATUS, { timeoutMs });
    return 'answered';
  } catch (error) {
    rethrowIfClosed(error);
    return failureOf(error);
  }
}
