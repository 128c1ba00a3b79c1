import { inspect, isDeepStrictEqual } from 'node:util';
import { BehaviorSubject, combineLatest, filter, firstValueFrom, from, timeout, type Observable } from 'rxjs';

/*
 * Framework-free checks for contract cases: they throw an Error that says what was expected and
 * what happened, so a case fails the same way under Jest and in a process of its own.
 */

/**
 * Upper bound for anything a case waits for. Wall-clock on purpose: the ends may be real devices
 * (a pseudo-terminal, vcan0 in user-mode Linux); a bound, never an asserted duration.
 */
export const CONTRACT_WAIT_CAP_MS = 5000;

export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

export function checkEqual<T>(actual: T, expected: T, what: string): void {
  if (!isDeepStrictEqual(actual, expected)) {
    throw new Error(`${what}: expected ${inspect(expected)}, got ${inspect(actual)}`);
  }
}

/** Compares byte sequences, naming the first difference instead of printing kilobytes. */
export function checkBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  const length = Math.min(actual.length, expected.length);
  let at = 0;
  while (at < length && actual[at] === expected[at]) at++;
  if (at === length && actual.length === expected.length) return;
  const detail =
    at < length
      ? `byte ${at} is 0x${actual[at].toString(16)}, expected 0x${expected[at].toString(16)}`
      : `the first ${at} bytes agree`;
  throw new Error(`${what}: ${actual.length} bytes, expected ${expected.length}; ${detail}`);
}

/** The first value of `source` (after subscribing now), or a failure naming `what` after the cap. */
export function within<T>(source: Observable<T>, what: string): Promise<T> {
  return firstValueFrom(
    source.pipe(
      timeout({
        first: CONTRACT_WAIT_CAP_MS,
        with: () => {
          throw new Error(`no ${what} within ${CONTRACT_WAIT_CAP_MS} ms`);
        },
      }),
    ),
  );
}

/** Resolves when `promise` does, or fails naming `what` after the cap. */
export function settlesWithin<T>(promise: Promise<T>, what: string): Promise<T> {
  return within(from(promise), `${what} settling`);
}

/** The rejection of `promise`; fails when it resolves, or when it does not settle within the cap. */
export async function rejectionOf(promise: Promise<unknown>, what: string): Promise<unknown> {
  let rejection: { readonly error: unknown } | undefined;
  await settlesWithin(
    promise.then(
      () => undefined,
      (error: unknown) => {
        rejection = { error };
      },
    ),
    what,
  );
  if (!rejection) throw new Error(`${what} resolved; expected it to reject`);
  return rejection.error;
}

/** Checks that `error` is an instance of `errorClass` carrying `code`. */
export function checkErrorCode(
  error: unknown,
  errorClass: abstract new (...args: never[]) => Error,
  code: string,
  what: string,
): void {
  check(
    error instanceof errorClass,
    `${what}: expected a ${errorClass.name}, got ${inspect(error, { depth: 1 })}`,
  );
  checkEqual((error as Error & { code?: unknown }).code, code, `${what}: code`);
}

/** True for a plain Uint8Array, false for a Buffer or another subclass. */
export function isPlainUint8Array(value: unknown): boolean {
  return value instanceof Uint8Array && Object.getPrototypeOf(value) === Uint8Array.prototype;
}

/** Everything an observable emitted since subscribing now, and whether it has completed. */
export class Collected<T> {
  readonly items: T[] = [];
  private readonly count$ = new BehaviorSubject(0);
  private readonly completed$ = new BehaviorSubject(false);

  constructor(
    source: Observable<T>,
    private readonly weigh: (item: T) => number = () => 1,
  ) {
    source.subscribe({
      next: (item) => {
        this.items.push(item);
        this.count$.next(this.count$.value + this.weigh(item));
      },
      complete: () => this.completed$.next(true),
    });
  }

  /** Items so far, or the sum of their weights (bytes for chunks). */
  get count(): number {
    return this.count$.value;
  }

  get completed(): boolean {
    return this.completed$.value;
  }

  /** Resolves once at least `count` have arrived; fails if the stream completes first or after the cap. */
  async waitForCount(count: number, what: string): Promise<readonly T[]> {
    await within(
      combineLatest([this.count$, this.completed$]).pipe(filter(([n, done]) => n >= count || done)),
      what,
    );
    if (this.count < count) throw new Error(`the stream completed after ${this.count} of ${what}`);
    return this.items;
  }

  async waitForCompletion(what: string): Promise<void> {
    await within(this.completed$.pipe(filter(Boolean)), `completion of ${what}`);
  }
}

export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  const all = new Uint8Array(chunks.reduce((n, chunk) => n + chunk.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.length;
  }
  return all;
}

/** Recognisable bytes: a different sequence per seed, every byte value used. */
export function patternBytes(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + seed * 7 + (i >> 8)) & 0xff);
}
