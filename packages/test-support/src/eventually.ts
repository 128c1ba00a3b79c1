/**
 * Resolves once `condition` holds, checking every 10 ms of real time (for real sockets); the cap
 * turns a condition that never holds into a failure with `describe()`, not a hang.
 */
export async function eventually(
  condition: () => boolean,
  describe: () => string,
  capMs = 10_000,
): Promise<void> {
  for (let waitedMs = 0; !condition(); waitedMs += 10) {
    if (waitedMs >= capMs) throw new Error(`condition not met within ${capMs} ms: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
