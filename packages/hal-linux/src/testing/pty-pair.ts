import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PtyPairOptions {
  /**
   * Folder for the two links `A` and `B`. Pass the folder of a stopped pair to bring the same
   * paths back (a device that reappears). Default: a fresh temporary folder, removed by `stop()`.
   */
  readonly directory?: string;
  /** The socat executable. Default `socat` from PATH. */
  readonly socatCommand?: string;
  /** Upper bound for socat to create both links. Default 5000 ms. */
  readonly startTimeoutMs?: number;
}

export interface PtyPair {
  /** One end: a symlink to a /dev/pts device. */
  readonly pathA: string;
  /** The other end. */
  readonly pathB: string;
  /** Kills socat (both ends see the device vanish) and waits for it to exit. Idempotent. */
  stop(): Promise<void>;
}

export class SocatMissingError extends Error {
  readonly code = 'SOCAT_MISSING';
  constructor(readonly command: string) {
    super(
      `${command} not found: the pseudo-terminal tests need socat. ` +
        'Install it with: apt-get install socat (or run tools/install-system-deps)',
    );
    this.name = 'SocatMissingError';
  }
}

/**
 * Starts `socat pty,rawer,echo=0,link=A pty,rawer,echo=0,link=B` and resolves once both links
 * exist. For tests of anything that talks to a serial port: open `pathA` on one side and `pathB`
 * on the other. Throws {@link SocatMissingError} when socat is not installed: tests never skip.
 */
export async function startPtyPair(options: PtyPairOptions = {}): Promise<PtyPair> {
  const ownsDirectory = options.directory === undefined;
  const directory = options.directory ?? (await mkdtemp(join(tmpdir(), 'tsbms-pty-')));
  const pathA = join(directory, 'A');
  const pathB = join(directory, 'B');
  const command = options.socatCommand ?? 'socat';
  const socat = spawn(
    command,
    ['-d', '-d', `pty,rawer,echo=0,link=${pathA}`, `pty,rawer,echo=0,link=${pathB}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => socat.once('close', () => resolve()));
  const removeDirectory = async (): Promise<void> => {
    if (ownsDirectory) await rm(directory, { recursive: true, force: true });
  };
  try {
    await waitForTransferLoop(socat, command, options.startTimeoutMs ?? 5000);
  } catch (error) {
    socat.kill('SIGKILL');
    await exited;
    await removeDirectory();
    throw error;
  }
  if (!existsSync(pathA) || !existsSync(pathB)) {
    socat.kill('SIGKILL');
    await exited;
    await removeDirectory();
    throw new Error(`socat started but did not create ${pathA} and ${pathB}`);
  }
  // Keep reading socat's log so a chatty socat can never block on a full pipe.
  socat.stderr?.resume();
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      // SIGTERM lets socat remove its links, as they would vanish with an unplugged adapter.
      if (socat.exitCode === null && socat.signalCode === null) socat.kill('SIGTERM');
      await exited;
      await removeDirectory();
    })();
    return stopping;
  };
  return { pathA, pathB, stop };
}

/**
 * socat logs "starting data transfer loop" (at -d -d) once both ptys and links exist. The timer is
 * a wall-clock upper bound on a real process, not library timing, so it needs no injected clock.
 */
function waitForTransferLoop(socat: ChildProcess, command: string, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let log = '';
    const timer = setTimeout(
      () => finish(new Error(`socat did not start within ${timeoutMs} ms: ${log.trim()}`)),
      timeoutMs,
    );
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      socat.stderr?.removeListener('data', onLog);
      socat.removeListener('error', onSpawnError);
      socat.removeListener('exit', onExit);
      if (error) reject(error);
      else resolve();
    };
    const onLog = (chunk: Buffer): void => {
      log += chunk.toString();
      if (log.includes('starting data transfer loop')) finish();
    };
    const onSpawnError = (error: NodeJS.ErrnoException): void =>
      finish(error.code === 'ENOENT' ? new SocatMissingError(command) : error);
    const onExit = (code: number | null, signal: string | null): void =>
      finish(
        new Error(`socat exited (${signal ?? `code ${code}`}) before the pty pair was ready: ${log.trim()}`),
      );
    socat.stderr?.on('data', onLog);
    socat.once('error', onSpawnError);
    socat.once('exit', onExit);
  });
}
