import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | null = null;

/**
 * V8's full garbage collection, whether or not Node was started with --expose-gc: the flag set at
 * run time applies to contexts made after it, so a fresh context hands out `gc` (Jest's test
 * context is made before any test runs, so it never has one of its own).
 */
function garbageCollector(): () => void {
  if (collect === null) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  return collect;
}

/**
 * The bytes the JavaScript heap holds after full collections: what a process keeps, without the
 * garbage that happens not to be collected yet. Two passes, so objects freed by the first
 * (finalizers, weak references) are gone too.
 */
export function heapUsedAfterGcBytes(): number {
  const gc = garbageCollector();
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
