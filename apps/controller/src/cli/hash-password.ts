import type { Readable, Writable } from 'node:stream';
import { credentialTextProblem, hashSecret } from '@tsbms/credentials';

/**
 * `npm run hash-password`: reads a password (or a bearer token) from stdin and prints its
 * scrypt hash for http.auth.passwordHash / bearerTokenHash. Reading stdin keeps the password out
 * of the shell history and the process list. One trailing newline is not part of the password;
 * any other control character (a NUL from `printf '%s\0'`, a second line) is refused, not hashed:
 * scrypt would take "pw\0" for "pw", and a line break is never meant.
 */
export async function hashPasswordCommand(io: {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}): Promise<number> {
  const tty = (io.stdin as Readable & { isTTY?: boolean }).isTTY === true;
  if (tty) io.stderr.write('password (input is shown; end with Enter, then Ctrl-D): ');
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(chunk as Buffer);
  let input: string;
  try {
    input = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    io.stderr.write('hash-password: stdin is not UTF-8 text\n');
    return 2;
  }
  const password = input.replace(/\r?\n$/, '');
  if (password.length === 0) {
    io.stderr.write(
      'hash-password: no password on stdin (e.g. printf %s "$PW" | npm run -s hash-password)\n',
    );
    return 2;
  }
  const problem = credentialTextProblem(password);
  if (problem !== null) {
    io.stderr.write(`hash-password: refused: the password ${problem}\n`);
    return 2;
  }
  io.stdout.write(`${hashSecret(password)}\n`);
  return 0;
}

if (require.main === module) {
  hashPasswordCommand({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`hash-password: ${String(error)}\n`);
      process.exit(1);
    },
  );
}
