import fc from 'fast-check';
import { credentialTextProblem } from './credential-text';

const CONTROL_CODES = [
  ...Array.from({ length: 0x20 }, (_, code) => code),
  ...Array.from({ length: 0x21 }, (_, i) => 0x7f + i),
];

describe('credentialTextProblem', () => {
  it('accepts printable text, spaces and non-ASCII letters', () => {
    for (const text of ['correct horse battery', 'tok-3f9a1c7e', 'pässwörd€', '密码', '🔑 key', ' ']) {
      expect(credentialTextProblem(text)).toBeNull();
    }
  });

  it('refuses empty text', () => {
    expect(credentialTextProblem('')).toBe('is empty');
  });

  it('names a trailing NUL and where it is', () => {
    expect(credentialTextProblem('pw\0')).toBe('contains the control character U+0000 at position 3');
  });

  it('refuses a C0, DEL or C1 control character anywhere in the text (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom(...CONTROL_CODES), fc.string(), (before, code, after) => {
        const name = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
        expect(credentialTextProblem(`${before}${String.fromCharCode(code)}${after}`)).toBe(
          `contains the control character ${name} at position ${before.length + 1}`,
        );
      }),
    );
  });

  it('accepts the neighbours of the control ranges: space, ~ and U+00A0', () => {
    expect(credentialTextProblem('\u0020~\u00a0')).toBeNull();
  });
});
