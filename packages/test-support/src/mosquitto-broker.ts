import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { userInfo } from 'node:os';
import * as path from 'node:path';
import { stopProcess, type Scope } from './scope';
import type { TestCertificate } from './self-signed-cert';

/*
 * A real Mosquitto broker for tests: its own temp config, loopback only, on a free (or given)
 * port, stopped with the test's Scope. A missing binary fails the test: it is a required system
 * package (tools/install-system-deps), never a reason to skip.
 */

export const MOSQUITTO = '/usr/sbin/mosquitto';
const MOSQUITTO_PASSWD = '/usr/bin/mosquitto_passwd';

export interface MosquittoBroker {
  readonly port: number;
  readonly url: string;
  /** Its log so far (a failing test shows it). */
  log(): string;
  stop(): Promise<void>;
}

export interface MosquittoOptions {
  /** Default: a free port now. */
  readonly port?: number;
  /** With users, anonymous clients are refused. */
  readonly users?: Readonly<Record<string, string>>;
  /** TLS on the listener (`mqtts://`) with this certificate. */
  readonly tls?: TestCertificate;
  /** A Mosquitto `acl_file` (with `users`). */
  readonly aclFile?: string;
}

function requireBinary(file: string): void {
  if (!existsSync(file)) {
    throw new Error(
      `${file} is missing: install the system packages with tools/install-system-deps (Debian mosquitto)`,
    );
  }
}

/** A loopback TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startMosquitto(
  scope: Scope,
  workDir: string,
  options: MosquittoOptions = {},
): Promise<MosquittoBroker> {
  requireBinary(MOSQUITTO);
  const dir = mkdtempSync(path.join(workDir, 'mosquitto-'));
  const port = options.port ?? (await freePort());
  const lines = [
    `listener ${port} 127.0.0.1`,
    'persistence false',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
    'log_type information',
    // As root, mosquitto would switch to its own user, who cannot read this private temp folder.
    `user ${userInfo().username}`,
  ];
  if (options.tls !== undefined)
    lines.push(`certfile ${options.tls.certFile}`, `keyfile ${options.tls.keyFile}`);
  if (options.users === undefined) {
    lines.push('allow_anonymous true');
  } else {
    requireBinary(MOSQUITTO_PASSWD);
    const passwordFile = path.join(dir, 'passwd');
    writeFileSync(passwordFile, '');
    for (const [user, password] of Object.entries(options.users)) {
      const result = spawnSync(MOSQUITTO_PASSWD, ['-b', passwordFile, user, password], { encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`mosquitto_passwd failed: ${result.stderr}`);
    }
    lines.push('allow_anonymous false', `password_file ${passwordFile}`);
  }
  if (options.aclFile !== undefined) lines.push(`acl_file ${options.aclFile}`);
  const configFile = path.join(dir, 'mosquitto.conf');
  writeFileSync(configFile, `${lines.join('\n')}\n`);
  const child = spawn(MOSQUITTO, ['-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (chunk) => (log += chunk));
  const stop = () => stopProcess(child);
  scope.add(stop);
  // Poll until it listens; the cap turns a broker that never comes up into a failure, not a hang.
  for (let attempt = 0; !(await accepts(port)); attempt += 1) {
    if (child.exitCode !== null || attempt > 250) {
      throw new Error(`mosquitto did not start on port ${port} (exit ${child.exitCode}):\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const scheme = options.tls === undefined ? 'mqtt' : 'mqtts';
  return { port, url: `${scheme}://127.0.0.1:${port}`, log: () => log, stop };
}
