import type { SMTPTransportOptions } from 'nodemailer';
import { SmtpTestServer, type SmtpLogin } from '../spec-support/smtp-test-server';
import { notificationChannelContract } from '../testing/channel-contract';
import { notificationFixture } from '../testing/notification-fixture';
import { emailChannel, type EmailChannelOptions, type MailTransport } from './email';

const LOGIN: SmtpLogin = { username: 'bms@example.org', password: 'mail-secret-password' };

/** The channel's settings for a test server on loopback, plain text. */
function settingsFor(smtp: SmtpTestServer, login: SmtpLogin | null = LOGIN): EmailChannelOptions {
  return {
    host: '127.0.0.1',
    port: smtp.port,
    secure: false,
    username: login?.username ?? null,
    password: login?.password ?? null,
    from: 'tsBMS <bms@example.org>',
    to: ['owner@example.org', 'installer@example.org'],
  };
}

/** SMTP's refusals: 5xx for good (a client error), 4xx for now (a server error). */
const REFUSAL = { 'client-error': 550, 'server-error': 451 } as const;

notificationChannelContract('e-mail against an SMTP server, with a login', async () => {
  const smtp = await SmtpTestServer.start({ login: LOGIN });
  const channel = emailChannel(settingsFor(smtp));
  return {
    channel,
    peerWill: async (behaviour) => {
      if (behaviour === 'unreachable') await smtp.close();
      else if (behaviour === 'accept') smtp.acceptAll();
      else smtp.rejectAt('RCPT', REFUSAL[behaviour]);
    },
    delivered: async () => smtp.mails.map(({ subject, text }) => ({ title: subject, message: text })),
    teardown: async () => {
      await channel.close?.();
      await smtp.close();
    },
  };
});

describe('emailChannel against an SMTP server', () => {
  let smtp: SmtpTestServer;
  afterEach(() => smtp.close());

  it('mails the title as subject and the message as text, from and to as set, logged in; urgent as high priority', async () => {
    smtp = await SmtpTestServer.start({ login: LOGIN });
    const notification = notificationFixture();
    await emailChannel(settingsFor(smtp)).send(notification);
    expect(smtp.mails).toHaveLength(1);
    const [mail] = smtp.mails;
    expect(mail).toMatchObject({
      envelopeFrom: 'bms@example.org',
      envelopeTo: ['owner@example.org', 'installer@example.org'],
      user: LOGIN.username,
      subject: notification.title,
      text: notification.message,
    });
    expect(Object.fromEntries(mail.headers)).toMatchObject({
      from: 'tsBMS <bms@example.org>',
      to: 'owner@example.org, installer@example.org',
      'content-type': 'text/plain; charset=utf-8',
      importance: 'High',
      'x-priority': '1 (Highest)',
    });
  });

  it('sends without a login when none is set, at normal priority for default', async () => {
    smtp = await SmtpTestServer.start();
    await emailChannel(settingsFor(smtp, null)).send(notificationFixture({ priority: 'default' }));
    expect(smtp.mails[0].user).toBeNull();
    expect(smtp.mails[0].headers.has('importance')).toBe(false);
  });

  it('rejects a wrong password REJECTED, not retryable, with 535, the password nowhere in the error', async () => {
    smtp = await SmtpTestServer.start({ login: LOGIN });
    const wrong = 'wrong-password-123';
    const sending = emailChannel({ ...settingsFor(smtp), password: wrong }).send(notificationFixture());
    await expect(sending).rejects.toMatchObject({ code: 'REJECTED', retryable: false, status: 535 });
    const { message } = (await sending.catch((error: Error) => error)) as Error;
    expect(message).toMatch(/^email: .*535/);
    for (const secret of [wrong, Buffer.from(`\0${LOGIN.username}\0${wrong}`).toString('base64')]) {
      expect(message).not.toContain(secret);
    }
    expect(smtp.mails).toEqual([]);
  });

  it.each([
    ['RCPT', 450, true],
    ['RCPT', 550, false],
    ['DATA', 451, true],
    ['DATA', 554, false],
  ] as const)('rejects a %s answered %d REJECTED, retryable %s', async (stage, responseCode, retryable) => {
    smtp = await SmtpTestServer.start({ login: LOGIN });
    smtp.rejectAt(stage, responseCode);
    await expect(emailChannel(settingsFor(smtp)).send(notificationFixture())).rejects.toMatchObject({
      code: 'REJECTED',
      channel: 'email',
      retryable,
      status: responseCode,
    });
  });

  it('rejects UNREACHABLE, retryable, when the server does not greet within timeoutMs', async () => {
    smtp = await SmtpTestServer.start();
    smtp.hang();
    const channel = emailChannel({ ...settingsFor(smtp, null), timeoutMs: 200 });
    await expect(channel.send(notificationFixture())).rejects.toMatchObject({
      code: 'UNREACHABLE',
      retryable: true,
      message: 'email: no answer within 200 ms',
    });
  });
});

describe('emailChannel with the transport it is given', () => {
  /** A transport whose sendMail rejects with `error`, keeping the options it was made with. */
  function failingWith(error: Error) {
    const made: SMTPTransportOptions[] = [];
    const transport: MailTransport = { sendMail: () => Promise.reject(error), close: jest.fn() };
    const channel = emailChannel({
      host: 'smtp.example.org',
      port: 465,
      secure: true,
      username: null,
      password: null,
      from: 'bms@example.org',
      to: ['owner@example.org'],
      createTransport: (options) => {
        made.push(options);
        return transport;
      },
    });
    return { channel, made, transport };
  }

  const nodemailerError = (code: string, fields: object = {}) =>
    Object.assign(new Error(`${code} from nodemailer`), { code, ...fields });

  it('makes one transport with host, port and TLS, without auth when there is no username', () => {
    const { made } = failingWith(new Error('unused'));
    expect(made).toEqual([{ host: 'smtp.example.org', port: 465, secure: true }]);
  });

  it.each([
    ['EDNS', {}, 'UNREACHABLE', true],
    ['ESOCKET', { originalCode: 'ECONNREFUSED' }, 'UNREACHABLE', true],
    ['ETLS', {}, 'UNREACHABLE', true],
    [
      'EAUTH',
      { responseCode: 454, response: '454 4.7.0 Temporary authentication failure' },
      'REJECTED',
      true,
    ],
    ['ENOAUTH', {}, 'REJECTED', false],
    ['EPROTOCOL', {}, 'REJECTED', false],
  ] as const)('maps %s %j to %s, retryable %s', async (code, fields, expected, retryable) => {
    const { channel } = failingWith(nodemailerError(code, fields));
    await expect(channel.send(notificationFixture())).rejects.toMatchObject({ code: expected, retryable });
  });

  it('rejects REJECTED for a throw that is not an Error', async () => {
    const { channel, transport } = failingWith(new Error('unused'));
    transport.sendMail = () => Promise.reject('a string');
    await expect(channel.send(notificationFixture())).rejects.toMatchObject({
      code: 'REJECTED',
      message: 'email: error: a string',
    });
  });

  it('close() closes the transport', async () => {
    const { channel, transport } = failingWith(new Error('unused'));
    await channel.close?.();
    expect(transport.close).toHaveBeenCalledTimes(1);
  });
});
