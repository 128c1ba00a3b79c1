import { runDoctor } from './doctor-command';

// `npm run doctor -- --serial PATH …` (doctor-command.ts, DOCTOR_USAGE).
runDoctor(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`doctor: ${String(error)}\n`);
    process.exit(1);
  },
);
