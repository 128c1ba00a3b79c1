import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { findExecutable } from '../systemd-notify';

/*
 * systemd's side of sd_notify for tests: a unix datagram socket that records what arrives (socat),
 * and a PATH holding only the helpers a case allows. Both helpers are system packages of
 * tools/install-system-deps: a missing one fails the test, never skips it.
 */

function requireExecutable(name: string): string {
  const found = findExecutable(name, process.env);
  if (found === null) throw new Error(`${name} is not on PATH: install it (tools/install-system-deps)`);
  return found;
}

export interface NotificationReceiver {
  /** Resolves with everything received so far once it includes `text` (at least `times` times). */
  waitFor(text: string, times?: number): Promise<string>;
  /** Stops the listener and resolves once it has exited. */
  stop(): Promise<void>;
}

/** Listens on `socketPath` (created by the listener) and resolves once the socket exists. */
export async function listenForNotifications(socketPath: string): Promise<NotificationReceiver> {
  let received = '';
  const child = spawn(requireExecutable('socat'), ['-u', `UNIX-RECV:${socketPath}`, '-'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child.stdout.on('data', (chunk: Buffer) => (received += chunk.toString()));
  while (!existsSync(socketPath) && child.exitCode === null) await delay(10);
  return {
    async waitFor(text, times = 1) {
      while (received.split(text).length - 1 < times) await delay(10);
      return received;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A PATH (the folder `dir/bin`, made afresh) holding only the named helpers. */
export function pathWithOnly(dir: string, ...helpers: string[]): string {
  const bin = path.join(dir, 'bin');
  rmSync(bin, { recursive: true, force: true });
  mkdirSync(bin);
  for (const helper of helpers) symlinkSync(requireExecutable(helper), path.join(bin, helper));
  return bin;
}
