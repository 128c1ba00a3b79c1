import { isTeslaProtocolError } from '@tsbms/tesla-protocol';
import type { TransactionFailure } from '@tsbms/commissioning';

const FAILURES: readonly TransactionFailure[] = [
  'TIMEOUT',
  'NO_SUCH_MODULE',
  'CRC',
  'BAD_FRAME',
  'ECHO_MISMATCH',
];

/** How a transaction failed, as the report names it (T-5); anything else is `OTHER`. */
export function failureOf(error: unknown): TransactionFailure {
  const code = isTeslaProtocolError(error) ? (error.code as TransactionFailure) : undefined;
  return code !== undefined && FAILURES.includes(code) ? code : 'OTHER';
}

/** A closed link ends the run: nothing more can be measured. */
export function rethrowIfClosed(error: unknown): void {
  if (isTeslaProtocolError(error, 'LINK_CLOSED')) throw error;
}
