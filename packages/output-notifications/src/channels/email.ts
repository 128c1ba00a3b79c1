import { createTransport, type SendMailOptions, type SMTPTransportOptions } from 'nodemailer';
import { errorField, errorMessage } from '@tsbms/hal';
import { NotificationSendError, type NotificationChannel, type NotificationPriority } from '../notification';
import { replyExcerpt } from './peer-reply';

export interface EmailChannelOptions {
  readonly host: string;
  readonly port: number;
  /** true: TLS from the first byte (port 465); false: STARTTLS when the server offers it (587). */
  readonly secure: boolean;
  /** The login, or null (with the password) for a server that takes mail without one. */
  readonly username: string | null;
  readonly password: string | null;
  readonly from: string;
  readonly to: readonly string[];
  /** The most one send may take, from connecting to the server's last reply; 30 s when absent. */
  readonly timeoutMs?: number;
  /** nodemailer's createTransport unless a test passes its own. */
  readonly createTransport?: (options: SMTPTransportOptions) => MailTransport;
}

/** The part of a nodemailer transporter the channel uses. */
export interface MailTransport {
  sendMail(mail: SendMailOptions): Promise<unknown>;
  close(): void;
}

/** Longer than HTTP's 10 s: mail servers may hold their greeting back for a few seconds (anti-spam). */
export const DEFAULT_EMAIL_TIMEOUT_MS = 30_000;

/** The priority headers (X-Priority, Importance) mail clients flag a message by. */
const MAIL_PRIORITY: Readonly<Record<NotificationPriority, 'normal' | 'high'>> = {
  default: 'normal',
  high: 'high',
  urgent: 'high',
};

/** nodemailer's codes for a connection that could not be made or broke off: worth another try. */
const CONNECTION_ERROR_CODES = new Set([
  'ECONNECTION',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ETLS',
]);

/** nodemailer's code when the send's AbortSignal fired: our deadline. */
const ABORTED = 'EABORT';

/**
 * Mails every notification (subject the title, plain-text body the message) through an SMTP
 * server. One connection per message, not a pool: messages are rare, and a pooled connection
 * would sit idle between them until the server or a NAT table dropped it, so the next alarm
 * would first meet a dead socket. A handshake per message costs nothing at this rate.
 */
export function emailChannel(options: EmailChannelOptions): NotificationChannel {
  const timeoutMs = options.timeoutMs ?? DEFAULT_EMAIL_TIMEOUT_MS;
  const transport = (options.createTransport ?? createTransport)({
    host: options.host,
    port: options.port,
    secure: options.secure,
    ...(options.username === null
      ? {}
      : { auth: { user: options.username, pass: options.password ?? undefined } }),
  });
  const secrets = options.password === null ? [] : [options.password];
  return {
    name: 'email',
    async send({ title, message, priority }) {
      try {
        await transport.sendMail({
          from: options.from,
          to: [...options.to],
          subject: title,
          text: message,
          priority: MAIL_PRIORITY[priority],
          // One deadline for DNS, connecting, the greeting, login and the whole dialogue.
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        throw sendError(error, timeoutMs, secrets);
      }
    },
    // Not pooled, the transport holds no connection between sends; closing it drops its listeners.
    close: async () => transport.close(),
  };
}

/**
 * An SMTP reply decides first (RFC 5321: 4xx transient, 5xx permanent; a failed login is 535,
 * a temporary login failure 454). Without one, a connection error is worth retrying; anything
 * else (no login offered, no valid recipient, a bad reply) is settings to fix.
 */
function sendError(error: unknown, timeoutMs: number, secrets: readonly string[]): NotificationSendError {
  // Fields of nodemailer's errors (NodemailerError); a socket's error may come through as it is.
  const code = errorField(error, 'code');
  const responseCode = errorField(error, 'responseCode');
  const response = errorField(error, 'response');
  const what = replyExcerpt(typeof response === 'string' ? response : errorMessage(error), secrets);
  if (typeof responseCode === 'number' && responseCode >= 400) {
    return new NotificationSendError('REJECTED', 'email', what, responseCode < 500, responseCode);
  }
  if (code === ABORTED) {
    return new NotificationSendError('UNREACHABLE', 'email', `no answer within ${timeoutMs} ms`, true);
  }
  if (typeof code === 'string' && CONNECTION_ERROR_CODES.has(code)) {
    return new NotificationSendError('UNREACHABLE', 'email', `unreachable (${code}): ${what}`, true);
  }
  return new NotificationSendError(
    'REJECTED',
    'email',
    `${typeof code === 'string' ? code : 'error'}: ${what}`,
    false,
  );
}
