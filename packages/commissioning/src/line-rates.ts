import type { ProbeOutcome, RateProbeObservation } from './observations';

/**
 * The rates worth trying, baud: the boards' 612500 (24.5 MHz / 40) and collin80's 617647 (T-1),
 * what an FTDI FT232R makes of either (3 MHz / 4.875 ≈ 615385), the rate newer boards reportedly
 * run near (631000), and the round rates some adapters' tables offer nearby (600000, 625000).
 * A UART reads a line up to about 4 % off its own rate, so each of these reaches the boards
 * unless the adapter rounds it further; which one it rounds well is what the probe finds out.
 */
export const LINE_RATE_CANDIDATES: readonly number[] = Object.freeze([
  612_500, 617_647, 615_385, 631_000, 625_000, 600_000,
]);

/** The rate asked first, then the candidates not equal to it. */
export function lineRateCandidates(askedBaud: number): number[] {
  return [askedBaud, ...LINE_RATE_CANDIDATES.filter((rate) => rate !== askedBaud)];
}

/**
 * What the line did at one rate: `clean` (every reply valid or, for an address nobody has, the
 * request back unchanged; no framing error), `silent` (no byte came back at all), `garbled`
 * (bytes came back, damaged), or `closed` (the port did not open at this rate).
 */
export const LINE_QUALITIES = ['clean', 'silent', 'garbled', 'closed'] as const;
export type LineQuality = (typeof LINE_QUALITIES)[number];

const CLEAN: readonly ProbeOutcome[] = ['answered', 'NO_SUCH_MODULE'];

export function lineQuality(probe: RateProbeObservation): LineQuality {
  if (!probe.opened) return 'closed';
  const outcomes = [...probe.echoes, ...probe.reads];
  if (outcomes.length > 0 && outcomes.every((o) => o === 'TIMEOUT')) return 'silent';
  const clean = outcomes.every((o) => CLEAN.includes(o)) && (probe.framingErrors ?? 0) === 0;
  return clean ? 'clean' : 'garbled';
}

/**
 * Whether the rate asked deserves a second probe after the others: it was not clean but another
 * rate was. A real mismatch stays; a slow first exchange (a process warming up, a busy machine's
 * late replies) does not, and must not move the user off a rate that works.
 */
export function needsSecondLook(askedBaud: number, probes: readonly RateProbeObservation[]): boolean {
  const asked = probes.filter((p) => p.baudRate === askedBaud);
  return (
    asked.length === 1 &&
    lineQuality(asked[0]) !== 'clean' &&
    probes.some((p) => p.baudRate !== askedBaud && lineQuality(p) === 'clean')
  );
}

/**
 * The rate to run the checks at: the one asked when its last probe is clean, else the first clean
 * one, else the one asked.
 */
export function chooseLineRate(askedBaud: number, probes: readonly RateProbeObservation[]): number {
  const asked = probes.filter((p) => p.baudRate === askedBaud).at(-1);
  if (asked !== undefined && lineQuality(asked) === 'clean') return askedBaud;
  return probes.find((p) => lineQuality(p) === 'clean')?.baudRate ?? askedBaud;
}
