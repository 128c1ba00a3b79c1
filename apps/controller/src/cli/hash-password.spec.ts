import { PassThrough, Readable } from 'node:stream';
import { parseSecretHash, verifySecret } from '@tsbms/credentials';
import { hashPasswordCommand } from './hash-password';

async function run(input: string | Buffer) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await hashPasswordCommand({ stdin: Readable.from([Buffer.from(input)]), stdout, stderr });
  return { code, out, err };
}

describe('hash-password', () => {
  it('prints a hash of the password on stdin, without its trailing newline', async () => {
    const { code, out } = await run('s3cret pass\n');
    expect(code).toBe(0);
    expect(out).toMatch(/^scrypt\$32768\$8\$1\$\S+\n$/);
    const stored = parseSecretHash(out.trim());
    expect(await verifySecret(stored, 's3cret pass')).toBe(true);
    expect(await verifySecret(stored, 's3cret pass\n')).toBe(false);
  });

  it('strips one trailing CR LF as well', async () => {
    const { code, out } = await run('s3cret pass\r\n');
    expect(code).toBe(0);
    expect(await verifySecret(parseSecretHash(out.trim()), 's3cret pass')).toBe(true);
  });

  it.each([
    ['a trailing NUL', 'pw\0', 'U+0000 at position 3'],
    ['a trailing NUL before the newline', 'pw\0\n', 'U+0000 at position 3'],
    ['a second line', 'pw\nsecond\n', 'U+000A at position 3'],
    ['two trailing newlines', 'pw\n\n', 'U+000A at position 3'],
    ['a tab', 'pass\tword', 'U+0009 at position 5'],
    ['DEL', 'pw\u007f', 'U+007F at position 3'],
    ['a C1 control', 'pw\u0085', 'U+0085 at position 3'],
  ])('refuses a password with %s: exit 2, one line, nothing hashed', async (_name, input, where) => {
    const { code, out, err } = await run(input);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toBe(`hash-password: refused: the password contains the control character ${where}\n`);
  });

  it('refuses stdin that is not UTF-8 (it would hash as U+FFFD, like any other bad byte)', async () => {
    const { code, out, err } = await run(Buffer.from([0x70, 0x77, 0xff]));
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toBe('hash-password: stdin is not UTF-8 text\n');
  });

  it('refuses an empty input with exit code 2', async () => {
    const { code, out, err } = await run('\n');
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(/no password on stdin/);
  });
});
