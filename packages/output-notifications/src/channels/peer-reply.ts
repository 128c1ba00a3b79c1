/** How much of a server's reply an error message quotes: enough to say why, on one line. */
const EXCERPT_CHARS = 200;

/**
 * The start of what a server answered, for an error message: every credential the request carried
 * blanked out first (a server may echo the request back), then on one line and cut short.
 */
export function replyExcerpt(reply: string, secrets: readonly string[]): string {
  let text = reply;
  for (const secret of secrets) if (secret !== '') text = text.replaceAll(secret, '***');
  text = text.replace(/\s+/g, ' ').trim();
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}
