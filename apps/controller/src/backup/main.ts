import { systemClock } from '@tsbms/hal';
import { controllerVersion } from '../services/output-services';
import { backupCommand } from './backup-command';

// `npm run backup -- export|import …` (backup-command.ts).
process.exitCode = backupCommand(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  clock: systemClock,
  controllerVersion: controllerVersion(),
});
