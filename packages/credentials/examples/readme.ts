import { ManualClock } from '@tsbms/hal';
import { FailedAttemptThrottle, hashSecret, parseSecretHash, verifySecret } from '@tsbms/credentials';

// Store only the hash (what `npm run -s hash-password` prints), never the password.
const stored = parseSecretHash(hashSecret('a long passphrase', { n: 1024, r: 8, p: 1 }));

// Wrong guesses from one client back off: 1 s, 2 s, 4 s … up to 5 min.
const clock = new ManualClock();
const throttle = new FailedAttemptThrottle(clock);

async function logIn(client: string, password: string): Promise<string> {
  const waitMs = throttle.retryAfterMs(client);
  if (waitMs > 0) return `retry in ${waitMs} ms`;
  if (await verifySecret(stored, password)) {
    throttle.recordSuccess(client);
    return 'welcome';
  }
  throttle.recordFailure(client);
  return 'wrong password';
}

async function main(): Promise<void> {
  console.log(await logIn('10.0.0.7', 'a guess'));
  console.log(await logIn('10.0.0.7', 'a long passphrase'));
  await clock.advanceByMs(1000);
  console.log(await logIn('10.0.0.7', 'a long passphrase'));
}

void main();
// → wrong password
// → retry in 1000 ms
// → welcome
