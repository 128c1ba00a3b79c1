/**
 * Contract suites: one list of named cases per port, run unchanged against a fake and against the
 * real adapter, so the fakes are shown to behave like the hardware. A case is plain async code
 * that throws when the behaviour is missing; it needs no test framework, so the same list runs
 * under Jest ({@link describeContract}) and in a process of its own, for example inside user-mode
 * Linux where vcan0 exists ({@link runContractCases}, asserted on the host with
 * {@link describeContractResults}).
 */

/** One behaviour every implementation of a port must show, checked on fresh ends. */
export interface ContractCase<Ends> {
  /** What the behaviour is, as a sentence: it becomes the test's name. */
  readonly name: string;
  /** Throws (or rejects) when the ends do not behave so. */
  run(ends: Ends): Promise<void>;
}

/** Freezes a case list after checking that no two cases share a name (results are matched by name). */
export function defineContractCases<Ends>(
  cases: readonly ContractCase<Ends>[],
): readonly ContractCase<Ends>[] {
  const names = new Set<string>();
  for (const { name } of cases) {
    if (names.has(name)) throw new Error(`two contract cases are named "${name}"`);
    names.add(name);
  }
  return Object.freeze([...cases]);
}

/** Ends for one case and how to release them; teardown runs after every case, also after a failure. */
export type ContractEnds<Ends> = Ends & { teardown(): Promise<void> };

/** Makes fresh, connected, open ends for one case. */
export type MakeContractEnds<Ends> = () => Promise<ContractEnds<Ends>>;

/** How a case went where it ran; what {@link runContractCases} returns and a spec asserts. */
export interface ContractCaseResult {
  readonly name: string;
  readonly ok: boolean;
  /** The failure's stack (or message), when not ok. */
  readonly error?: string;
  readonly durationMs: number;
}

/**
 * Upper bound for one case, setup and teardown excluded: a case that hangs fails with a message
 * instead of stalling the run. Wall-clock on purpose: the ends may be real devices.
 */
export const CONTRACT_CASE_CAP_MS = 15_000;

/** Makes fresh ends, runs the case on them and tears them down; rejects with the case's failure. */
export async function runContractCase<Ends>(
  contractCase: ContractCase<Ends>,
  makeEnds: MakeContractEnds<Ends>,
): Promise<void> {
  const ends = await makeEnds();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const cap = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`"${contractCase.name}" did not finish within ${CONTRACT_CASE_CAP_MS} ms`)),
      CONTRACT_CASE_CAP_MS,
    );
  });
  let failure: { readonly error: unknown } | undefined;
  try {
    await Promise.race([contractCase.run(ends), cap]);
  } catch (error) {
    failure = { error };
  } finally {
    clearTimeout(timer);
  }
  try {
    await ends.teardown();
  } catch (error) {
    failure ??= { error };
  }
  if (failure) throw failure.error;
}

/** Runs every case in order, each on fresh ends, and reports each one; never rejects. */
export async function runContractCases<Ends>(
  cases: readonly ContractCase<Ends>[],
  makeEnds: MakeContractEnds<Ends>,
): Promise<ContractCaseResult[]> {
  const results: ContractCaseResult[] = [];
  for (const contractCase of cases) {
    const startedMs = Date.now();
    try {
      await runContractCase(contractCase, makeEnds);
      results.push({ name: contractCase.name, ok: true, durationMs: Date.now() - startedMs });
    } catch (error) {
      results.push({
        name: contractCase.name,
        ok: false,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        durationMs: Date.now() - startedMs,
      });
    }
  }
  return results;
}

/** Jest's `it` timeout for a case: its cap plus room for making and tearing down the ends. */
const JEST_CASE_TIMEOUT_MS = CONTRACT_CASE_CAP_MS + 10_000;

/** The two Jest globals a contract suite uses, typed here so this entry point needs no @types/jest. */
interface TestRegistrar {
  describe(name: string, body: () => void): void;
  it(name: string, body: () => Promise<void> | void, timeoutMs?: number): void;
}

function testRegistrar(caller: string): TestRegistrar {
  const globals = globalThis as Partial<TestRegistrar>;
  if (typeof globals.describe !== 'function' || typeof globals.it !== 'function') {
    throw new Error(
      `${caller} defines Jest tests: call it at the top level of a spec file ` +
        '(elsewhere, run the cases with runContractCases)',
    );
  }
  return { describe: globals.describe, it: globals.it };
}

/** A Jest `describe` with one `it` per case, each on fresh ends from `makeEnds`. */
export function describeContract<Ends>(
  title: string,
  cases: readonly ContractCase<Ends>[],
  makeEnds: MakeContractEnds<Ends>,
): void {
  const { describe, it } = testRegistrar('describeContract');
  describe(title, () => {
    for (const contractCase of cases) {
      it(contractCase.name, () => runContractCase(contractCase, makeEnds), JEST_CASE_TIMEOUT_MS);
    }
  });
}

/**
 * A Jest `describe` with one `it` per case that passes when the case passed where it ran (another
 * process, user-mode Linux). `results` is read when the tests run, so a `beforeAll` may fill it.
 */
export function describeContractResults<Ends>(
  title: string,
  cases: readonly ContractCase<Ends>[],
  results: () => readonly ContractCaseResult[] | undefined,
): void {
  const { describe, it } = testRegistrar('describeContractResults');
  describe(title, () => {
    for (const contractCase of cases) {
      it(contractCase.name, () => {
        const result = results()?.find((r) => r.name === contractCase.name);
        if (!result) throw new Error(`the case "${contractCase.name}" did not run there`);
        if (!result.ok) {
          // Marked lines: Jest would take the remote stack's frames for this process's own.
          const remote = (result.error ?? '(no message)').split('\n').map((line) => `  | ${line.trim()}`);
          throw new Error(`failed where it ran:\n${remote.join('\n')}`);
        }
      });
    }
  });
}
