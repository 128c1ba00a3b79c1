import type { Readable, Writable } from 'node:stream';
import { hashSecret } from '../auth';

/**
 * `npm run hash-password`: reads a password (or a bearer token) from stdin and prints its
 * scrypt hash for http.auth.passwordHash / bearerTokenHash. Reading stdin keeps the password out
 * of the shell history and the process list. One trailing newline is not part of the password.
 */
export async function hashPasswordCommand(io: {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}): Promise<number> {
  const tty = (io.stdin as Readable & { isTTY?: boolean }).isTTY === true;
  if (tty) io.stderr.write('password (input is shown; end with Enter, then Ctrl-D): ');
  let input = '';
  io.stdin.setEncoding('utf8');
  for await (const chunk of io.stdin) input += chunk as string;
  const password = input.replace(/\r?\n$/, '');
  if (password.length === 0) {
    io.stderr.write(
      'hash-password: no password on stdin (e.g. printf %s "$PW" | npm run -s hash-password)\n',
    );
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
