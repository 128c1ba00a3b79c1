import { notifyTestCommand } from './notify-test-command';

// `npm run notify-test -- --config FILE` (notify-test-command.ts).
void notifyTestCommand(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  nowMs: Date.now(),
}).then((code) => (process.exitCode = code));
