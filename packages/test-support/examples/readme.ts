import { spawn } from 'node:child_process';
import { Scope, stopProcess } from '@tsbms/test-support';

// Everything a test starts is registered with its scope and stopped, by PID, when the test ends.
async function main(): Promise<void> {
  const scope = new Scope();
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
  scope.add(() => stopProcess(child));
  await new Promise((resolve) => child.once('spawn', resolve));
  console.log(`running: ${child.exitCode === null}`);
  await scope.close();
  console.log(`stopped by ${child.signalCode}`);
}

void main();
// → running: true
// → stopped by SIGTERM
