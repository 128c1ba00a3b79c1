import { systemClock } from '@tsbms/hal';
import { controllerVersion } from '../services/output-services';
import { supportBundleCommand } from './support-bundle-command';

// `npm run support-bundle -- --config FILE …` (support-bundle-command.ts).
void supportBundleCommand(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  clock: systemClock,
  controllerVersion: controllerVersion(),
  // npm runs scripts in the package's folder; INIT_CWD is where `npm run` was typed.
  cwd: process.env.INIT_CWD ?? process.cwd(),
}).then((code) => (process.exitCode = code));
