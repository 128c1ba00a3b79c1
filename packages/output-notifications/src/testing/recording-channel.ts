import { NotificationSendError, type Notification, type NotificationChannel } from '../notification';

/**
 * A NotificationChannel for tests of what sends: keeps what it delivered, and fails as told (the
 * next sends with a given error, or every send while `down`).
 */
export class RecordingChannel implements NotificationChannel {
  /** The notifications delivered, oldest first. */
  readonly sent: Notification[] = [];
  /** Every send, delivered or failed, oldest first: what a retry policy tried. */
  readonly attempts: Notification[] = [];
  /** While true every send rejects UNREACHABLE (retryable), as a server that is down. */
  down = false;
  /** Whether close() was called. */
  closed = false;
  private failures: { remaining: number; readonly error: NotificationSendError } | null = null;

  constructor(readonly name = 'recording') {}

  /** The next `count` sends (Infinity: all until {@link recover}) reject with `error`. */
  failNext(count: number, error: NotificationSendError): void {
    this.failures = { remaining: count, error };
  }

  /** Delivers again: not down, no failures pending. */
  recover(): void {
    this.down = false;
    this.failures = null;
  }

  async send(notification: Notification): Promise<void> {
    this.attempts.push(notification);
    if (this.down) {
      throw new NotificationSendError('UNREACHABLE', this.name, 'down (test)', true);
    }
    if (this.failures !== null && this.failures.remaining > 0) {
      this.failures.remaining--;
      throw this.failures.error;
    }
    this.sent.push(notification);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
