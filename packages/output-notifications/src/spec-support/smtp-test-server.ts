import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { readMail, type ReadMail } from './mime-decoding';

/** One mail the server took: its envelope, the login it came with, and the message read back. */
export interface ReceivedMail extends ReadMail {
  readonly envelopeFrom: string;
  readonly envelopeTo: readonly string[];
  /** The user that logged in, or null without a login. */
  readonly user: string | null;
  /** The message as it arrived (CRLF line ends, MIME encoded). */
  readonly raw: string;
}

export interface SmtpLogin {
  readonly username: string;
  readonly password: string;
}

/** Where in a mail's dialogue the server says no: a recipient (RCPT TO) or the message (DATA). */
export type SmtpStage = 'RCPT' | 'DATA';

/** What a refused login gets, as real servers answer it. */
const AUTH_FAILED = 535;

/**
 * A real SMTP server on loopback, port 0, plain text (no TLS, STARTTLS not offered): with a
 * login, AUTH PLAIN and LOGIN are offered over the plain connection and required. It keeps every
 * mail it takes and refuses as told.
 */
export class SmtpTestServer {
  readonly mails: ReceivedMail[] = [];
  private rejection: { readonly stage: SmtpStage; readonly responseCode: number } | null = null;
  private hanging = false;
  private closing: Promise<void> | null = null;
  private readonly server: SMTPServer;
  private listeningPort = 0;

  private constructor(login: SmtpLogin | null) {
    this.server = this.serverFor(login);
  }

  static async start(options: { readonly login?: SmtpLogin } = {}): Promise<SmtpTestServer> {
    const smtp = new SmtpTestServer(options.login ?? null);
    await new Promise<void>((resolve, reject) => {
      smtp.server.once('error', reject);
      smtp.server.listen(0, '127.0.0.1', resolve);
    });
    smtp.listeningPort = (smtp.server.server.address() as AddressInfo).port;
    return smtp;
  }

  get port(): number {
    return this.listeningPort;
  }

  /** Answers `stage` of every mail from now on with `responseCode` (4xx transient, 5xx permanent). */
  rejectAt(stage: SmtpStage, responseCode: number): void {
    this.rejection = { stage, responseCode };
  }

  /** Takes every mail from now on. */
  acceptAll(): void {
    this.rejection = null;
  }

  /** Accepts connections from now on but never greets, as a server that hangs. */
  hang(): void {
    this.hanging = true;
  }

  /** Stops listening and ends open sessions; its port is then closed. Idempotent. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => this.server.close(() => resolve()));
    return this.closing;
  }

  private serverFor(login: SmtpLogin | null): SMTPServer {
    return new SMTPServer({
      secure: false,
      disabledCommands: login === null ? ['STARTTLS', 'AUTH'] : ['STARTTLS'],
      authOptional: login === null,
      allowInsecureAuth: true,
      authMethods: ['PLAIN', 'LOGIN'],
      disableReverseLookup: true,
      logger: false,
      // Sessions a hanging server left open end this soon after close().
      closeTimeout: 1000,
      onConnect: (_session, callback) => {
        if (!this.hanging) callback();
      },
      onAuth: (auth, _session, callback) => {
        if (auth.username === login?.username && auth.password === login?.password) {
          callback(null, { user: auth.username });
        } else {
          callback(smtpError(AUTH_FAILED, 'Authentication credentials invalid'));
        }
      },
      onRcptTo: (_address, _session, callback) => callback(this.refusalAt('RCPT')),
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const refusal = this.refusalAt('DATA');
          if (refusal !== null) return callback(refusal);
          const raw = Buffer.concat(chunks).toString('utf8');
          const { mailFrom, rcptTo } = session.envelope;
          this.mails.push({
            ...readMail(raw),
            envelopeFrom: mailFrom === false ? '' : mailFrom.address,
            envelopeTo: rcptTo.map(({ address }) => address),
            user: typeof session.user === 'string' ? session.user : null,
            raw,
          });
          callback();
        });
      },
    });
  }

  private refusalAt(stage: SmtpStage): Error | null {
    const rejection = this.rejection;
    return rejection?.stage === stage
      ? smtpError(rejection.responseCode, `refused at ${stage} (test)`)
      : null;
  }
}

/** An error smtp-server answers with its code instead of its default one. */
function smtpError(responseCode: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode });
}
