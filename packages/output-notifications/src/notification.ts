import type { FaultLevel } from '@tsbms/fault-engine';

/*
 * What the notifications output sends and the port every channel (ntfy, Gotify, webhook, e-mail)
 * implements. A channel only delivers; de-duplication, the quiet period, reminders and retries
 * are the output's, so every channel behaves the same.
 */

/** Why a message goes out. */
export type NotificationEvent =
  /** A fault or warning became active (once per raise, B-rules' levels). */
  | 'raised'
  /** It is no longer active. */
  | 'cleared'
  /** A latched fault still waits for an operator's acknowledgement (repeated: escalation). */
  | 'reminder'
  /** An operator acknowledged it. */
  | 'acknowledged'
  /** A message to check that the channel works (`notifications test`). */
  | 'test';

/** One message, the same for every channel. Immutable. */
export interface Notification {
  /** The fault it is about, `kind@location` (e.g. `cellOverVoltage@M2C3`): the de-duplication key. */
  readonly key: string;
  readonly event: NotificationEvent;
  /** The fault's level; null for a test message. */
  readonly level: FaultLevel | null;
  /** One line, for a phone's lock screen or a mail subject: `tsBMS garage: cell over-voltage (M2C3) raised`. */
  readonly title: string;
  /** The detail: what, where, the value, since when, what to do. Plain text. */
  readonly message: string;
  /**
   * How loudly: `urgent` for a fault raised or still latched, `high` for a warning raised,
   * `default` otherwise. Each channel maps it to its own scale (ntfy 1–5, Gotify 0–10).
   */
  readonly priority: NotificationPriority;
  /** When it happened (the BMS clock), ms since the epoch. */
  readonly atMs: number;
}

export type NotificationPriority = 'default' | 'high' | 'urgent';

/** A channel: delivers one message or rejects with a {@link NotificationSendError}. */
export interface NotificationChannel {
  /** `ntfy`, `gotify`, `webhook`, `email`: in logs and the output's status. */
  readonly name: string;
  send(notification: Notification): Promise<void>;
  /** Releases what the channel holds (an SMTP connection pool); absent when it holds nothing. */
  close?(): Promise<void>;
}

export type NotificationSendErrorCode =
  /** No answer, refused, reset, timed out: worth retrying. */
  | 'UNREACHABLE'
  /** The server answered with an error (HTTP status ≥ 400, SMTP 4xx/5xx). */
  | 'REJECTED';

/** A delivery that failed; `retryable` says whether a later attempt may succeed. */
export class NotificationSendError extends Error {
  constructor(
    readonly code: NotificationSendErrorCode,
    readonly channel: string,
    message: string,
    /** 5xx, 429, a network error: yes; 4xx (a wrong token, a wrong topic): no. */
    readonly retryable: boolean,
    /** The HTTP status or SMTP reply code, when there was one. */
    readonly status?: number,
  ) {
    super(`${channel}: ${message}`);
    this.name = 'NotificationSendError';
  }
}
