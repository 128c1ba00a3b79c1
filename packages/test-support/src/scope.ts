import type { ChildProcess } from 'node:child_process';

/** What one test started, stopped in reverse order when the test ends. */
export class Scope {
  private readonly cleanups: (() => Promise<void>)[] = [];

  add(cleanup: () => Promise<void>): void {
    this.cleanups.push(cleanup);
  }

  async close(): Promise<void> {
    for (let cleanup = this.cleanups.pop(); cleanup; cleanup = this.cleanups.pop()) await cleanup();
  }
}

/** A test body with its own Scope (tests may run concurrently). */
export function scoped(body: (scope: Scope) => Promise<void>): () => Promise<void> {
  return async () => {
    const scope = new Scope();
    try {
      await body(scope);
    } finally {
      await scope.close();
    }
  };
}

export function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}
