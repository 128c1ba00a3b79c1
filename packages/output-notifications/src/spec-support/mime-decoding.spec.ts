import { decodeEncodedWords, readMail } from './mime-decoding';

/** The helper the e-mail and ntfy specs read back with: checked on hand-made input. */
describe('decodeEncodedWords', () => {
  it('decodes B and Q words, joins a run of them even when a character is split, keeps plain text', () => {
    const b64 = (bytes: number[]) => Buffer.from(bytes).toString('base64');
    // "°" is C2 B0: its two bytes in two words.
    const split = `=?UTF-8?B?${b64([0x36, 0x31, 0xc2])}?= =?UTF-8?B?${b64([0xb0, 0x43])}?=`;
    expect(decodeEncodedWords(`cell ${split} hot`)).toBe('cell 61°C hot');
    expect(decodeEncodedWords('=?utf-8?Q?61_=C2=B0C_=E2=80=93_hot?=')).toBe('61 °C – hot');
    expect(decodeEncodedWords('plain =? text')).toBe('plain =? text');
  });

  it('refuses a charset other than UTF-8', () => {
    expect(() => decodeEncodedWords('=?ISO-8859-1?Q?=B0?=')).toThrow('unexpected charset ISO-8859-1');
  });
});

describe('readMail', () => {
  const mail = (headers: string[], body: string) => `${headers.join('\r\n')}\r\n\r\n${body}\r\n`;

  it('unfolds and decodes headers, decodes a base64 body, line ends as \\n', () => {
    const read = readMail(
      mail(
        [
          'Subject: =?UTF-8?B?wrBD?=',
          ' more',
          'Content-Type: text/plain; charset=utf-8',
          'Content-Transfer-Encoding: base64',
        ],
        Buffer.from('a °C\r\nb').toString('base64'),
      ),
    );
    expect(read.subject).toBe('°C more');
    expect(read.text).toBe('a °C\nb');
  });

  it('reads a quoted-printable body with soft line breaks, and a 7bit one as it is', () => {
    const qp = ['Content-Transfer-Encoding: quoted-printable'];
    expect(readMail(mail(qp, 'a =C2=B0C, lo=\r\nng line')).text).toBe('a °C, long line');
    expect(readMail(mail(['Subject: s'], 'plain\r\ntext')).text).toBe('plain\ntext');
  });

  it('refuses what is not a single plain-text part, or not a mail at all', () => {
    expect(() => readMail(mail(['Content-Type: multipart/alternative; boundary=x'], ''))).toThrow(
      'not a plain-text',
    );
    expect(() => readMail('Subject: no body')).toThrow('blank line');
  });
});
