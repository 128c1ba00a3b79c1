/** C0 controls (NUL to US), DEL and C1 controls: nothing a person types into a password field. */
function isControlCharacter(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

/**
 * Why `text` cannot be a password, user name or token, phrased to follow its name ("the password
 * is empty"); null when it can. Control characters are refused everywhere a credential enters
 * (HTTP Basic, bearer tokens, hash-password, MQTT command tokens): scrypt's inner HMAC pads a
 * key with zero bytes, so "pw" and "pw\0" hash alike, and a NUL or line break that slipped in
 * through a pipe or a header would be a second, invisible spelling of the secret.
 */
export function credentialTextProblem(text: string): string | null {
  if (text.length === 0) return 'is empty';
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (isControlCharacter(code)) {
      const name = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
      return `contains the control character ${name} at position ${index + 1}`;
    }
  }
  return null;
}
