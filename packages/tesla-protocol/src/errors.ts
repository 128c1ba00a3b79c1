import { registerName } from './registers';

export type TeslaProtocolErrorCode =
  /** No byte came back within the reply timeout: the loop is silent. */
  | 'TIMEOUT'
  /** A reply of the right shape whose CRC is wrong. */
  | 'CRC'
  /** Exactly the request came back: no module answers at this address. */
  | 'NO_SUCH_MODULE'
  /** A write echo that differs from the request. */
  | 'ECHO_MISMATCH'
  /** Any other invalid reply: wrong length, address, register or count. */
  | 'BAD_FRAME'
  /** The link closed (or was closed) before or during the transaction. */
  | 'LINK_CLOSED'
  /** The link refused a write while still open (an I/O error); the transaction is retried. */
  | 'LINK_FAILED'
  /** A write to E_EN or TEST_SELECT, which the client never sends (T-10). */
  | 'FORBIDDEN_REGISTER'
  /** A read-back after a write did not match what was written. */
  | 'VERIFY_FAILED'
  /**
   * A module that answers its other registers leaves its protected configuration (0x40..0x4F)
   * unanswered, so the hardware thresholds cannot be programmed (T-18): the board lacks them.
   */
  | 'PROTECTED_REGISTERS_UNANSWERED'
  /** A request that cannot be encoded (address, register, count or value out of range). */
  | 'INVALID_REQUEST'
  /** A configuration value rejected before anything is written (e.g. COV above 4.25 V). */
  | 'INVALID_CONFIG';

export interface TeslaProtocolErrorContext {
  readonly address?: number;
  readonly register?: number;
  /** Dotted path of the offending configuration value, for INVALID_CONFIG. */
  readonly configPath?: string;
}

/** Every failure of this library: a `code`, and the module address and register involved. */
export class TeslaProtocolError extends Error {
  readonly address?: number;
  readonly register?: number;
  readonly configPath?: string;

  constructor(
    readonly code: TeslaProtocolErrorCode,
    message: string,
    context: TeslaProtocolErrorContext = {},
    options?: { cause?: unknown },
  ) {
    super(withContext(message, context), options);
    this.name = 'TeslaProtocolError';
    this.address = context.address;
    this.register = context.register;
    this.configPath = context.configPath;
  }
}

function withContext(message: string, context: TeslaProtocolErrorContext): string {
  const parts: string[] = [];
  if (context.address !== undefined) parts.push(`address ${context.address}`);
  if (context.register !== undefined) parts.push(`register ${registerName(context.register)}`);
  if (context.configPath !== undefined) parts.push(`config ${context.configPath}`);
  return parts.length ? `${message} (${parts.join(', ')})` : message;
}

export function isTeslaProtocolError(
  error: unknown,
  code?: TeslaProtocolErrorCode,
): error is TeslaProtocolError {
  return error instanceof TeslaProtocolError && (code === undefined || error.code === code);
}
