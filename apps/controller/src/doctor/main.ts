import { createInterface } from 'node:readline/promises';
import { runDoctor } from './doctor-command';

// `npm run doctor -- --serial PATH …` (doctor-command.ts, DOCTOR_USAGE).
const stop = new AbortController();
const terminal = process.stdin.isTTY
  ? createInterface({ input: process.stdin, output: process.stderr })
  : null;
// Ctrl-C: a relay check stops and switches everything off (observe-relays.ts); a second one kills.
// At a terminal readline takes the key itself and reports it on the interface, not the process.
const interrupt = () => {
  if (stop.signal.aborted) process.exit(130);
  stop.abort();
};
process.on('SIGINT', interrupt);
terminal?.on('SIGINT', interrupt);
runDoctor(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  ...(terminal === null
    ? {}
    : { ask: (question: string) => terminal.question(question, { signal: stop.signal }) }),
  signal: stop.signal,
}).then(
  (code) => process.exit(stop.signal.aborted ? 130 : code),
  (error: unknown) => {
    process.stderr.write(`doctor: ${String(error)}\n`);
    process.exit(1);
  },
);
