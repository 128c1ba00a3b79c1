import { runController } from './cli/run-controller';

runController(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`controller: ${String(error)}\n`);
    process.exit(1);
  },
);
