import { PassThrough, Readable } from 'node:stream';
import { parseSecretHash, verifySecret } from '../auth';
import { hashPasswordCommand } from './hash-password';

async function run(input: string) {
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

  it('refuses an empty input with exit code 2', async () => {
    const { code, out, err } = await run('\n');
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(/no password on stdin/);
  });
});
