/*
 * For checks that run in a process of their own, e.g. inside user-mode Linux where vcan0 and
 * i2c-stub exist: the process gathers its observations and prints them as one JSON line, and the
 * host's spec asserts them (the contract cases' results among them).
 */

/**
 * The guest script's side: runs `steps`, which fill `results`, then prints `results` as one JSON
 * line for the host (`@tsbms/test-support`'s `runInUserModeLinux`); a step that throws leaves what was gathered, its stack in
 * `failure`, and exit code 1.
 */
export async function reportGuestResults(
  steps: (results: Record<string, unknown>) => Promise<void>,
): Promise<void> {
  const results: Record<string, unknown> = {};
  try {
    await steps(results);
  } catch (error) {
    results['failure'] = error instanceof Error ? error.stack : String(error);
    process.exitCode = 1;
  }
  process.stdout.write(`${JSON.stringify(results)}\n`);
}
