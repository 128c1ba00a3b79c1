/*
 * Reading back what the channels encode the MIME way, as a mail client and ntfy's server do:
 * RFC 2047 encoded words (a mail subject, ntfy's title header) and a plain-text mail body in
 * quoted-printable or base64. Only UTF-8, the only charset the channels produce.
 */

/** One encoded word, `=?charset?B|Q?text?=`; a run of them (only whitespace between) is one text. */
const ENCODED_WORD = /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/;
const ENCODED_WORD_RUN = new RegExp(`${ENCODED_WORD.source}(?:\\s+${ENCODED_WORD.source})*`, 'g');

/** A header value with its encoded words decoded; other text stays as it is. */
export function decodeEncodedWords(value: string): string {
  return value.replace(ENCODED_WORD_RUN, (run) => {
    // A character's bytes may be split over two words: join the bytes, then decode once.
    const words = run.match(new RegExp(ENCODED_WORD.source, 'g')) ?? [];
    const bytes = words.map((word) => {
      const [, charset, encoding, text] = ENCODED_WORD.exec(word) ?? [];
      if (charset.toUpperCase() !== 'UTF-8') throw new Error(`unexpected charset ${charset} in ${word}`);
      return encoding.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64')
        : quotedPrintableBytes(text.replace(/_/g, ' '));
    });
    return Buffer.concat(bytes).toString('utf8');
  });
}

/** A single-part plain-text mail as a client shows it. */
export interface ReadMail {
  /** Names in lower case, values unfolded and decoded. */
  readonly headers: ReadonlyMap<string, string>;
  readonly subject: string;
  /** The body decoded, line ends as `\n`. */
  readonly text: string;
}

export function readMail(raw: string): ReadMail {
  const split = raw.indexOf('\r\n\r\n');
  if (split < 0) throw new Error('a mail without a blank line after its headers');
  const headers = new Map<string, string>();
  for (const line of raw
    .slice(0, split)
    .replace(/\r\n(?=[ \t])/g, '')
    .split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).trim().toLowerCase(), decodeEncodedWords(line.slice(colon + 1).trim()));
  }
  const contentType = headers.get('content-type') ?? 'text/plain';
  if (!/^text\/plain\b/i.test(contentType)) throw new Error(`not a plain-text mail: ${contentType}`);
  // The last line's CRLF is where the SMTP client ends the data (RFC 5321 4.1.1.4), not text.
  const body = raw.slice(split + 4).replace(/\r\n$/, '');
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const decoded =
    encoding === 'base64'
      ? Buffer.from(body, 'base64').toString('utf8')
      : encoding === 'quoted-printable'
        ? quotedPrintableBytes(body.replace(/=\r\n/g, '')).toString('utf8')
        : body;
  return { headers, subject: headers.get('subject') ?? '', text: decoded.replace(/\r\n/g, '\n') };
}

/** `=XX` escapes as bytes; everything else in quoted-printable is ASCII. */
function quotedPrintableBytes(text: string): Buffer {
  const latin1 = text.replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) =>
    String.fromCharCode(parseInt(hex, 16)),
  );
  return Buffer.from(latin1, 'latin1');
}
