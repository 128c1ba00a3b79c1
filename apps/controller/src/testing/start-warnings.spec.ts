import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { parseControllerConfig } from '../config';
import { setAtPath } from '@tsbms/bms-core';
import {
  isDurationRateCurrentOrCount,
  numberSettingRanges,
  type SettingRange,
} from '../config/testing/setting-ranges';
import type { StartReport, StartRun } from './start-warnings';

/*
 * Property: any config the schema accepts starts without a warning. A timer over 2^31 − 1 ms is
 * Node's TimeoutOverflowWarning, after which it fires every 1 ms: seen only by a real process, so
 * the configs run in child processes (start-warnings.ts), one after the other, each until its first
 * scan: every setting that arms a timer at start has armed it by then.
 */

const workspaceRoot = path.resolve(__dirname, '..', '..', '..', '..');
const SCRIPT = path.join(__dirname, 'start-warnings.ts');
/** Generated configs beside the one with every setting at its maximum; a start takes 1–5 s. */
const GENERATED = 14;
/** A start mostly waits on timers (reply timeouts in discovery): two children halve the time. */
const CHILDREN = 2;
/** One child's batch, SWC compilation included; the child is killed after it. */
const BATCH_CAP_MS = 100_000;
/** A missing interface: the CAN output retries it on its reconnect backoff. */
const ABSENT_CAN_INTERFACE = 'tsbmsabsent0';

const RANGES = numberSettingRanges();
const BOUNDED = [...RANGES.keys()].filter(isDurationRateCurrentOrCount);

function rangeOf(settingPath: string): SettingRange {
  const range = RANGES.get(settingPath);
  if (range === undefined) throw new Error(`${settingPath} is no number setting`);
  return range;
}

/** The whole range, biased toward its top, where the timers are longest. */
function biasedToMax({ min, minExcluded, max, integer }: SettingRange): fc.Arbitrary<number> {
  const top = max - (max - min) / 10;
  const [whole, nearTop] = integer
    ? [fc.integer({ min: minExcluded ? min + 1 : min, max }), fc.integer({ min: Math.ceil(top), max })]
    : [fc.double({ min, minExcluded, max, noNaN: true }), fc.double({ min: top, max, noNaN: true })];
  return fc.oneof(
    { arbitrary: fc.constant(max), weight: 1 },
    { arbitrary: nearTop, weight: 1 },
    { arbitrary: whole, weight: 2 },
  );
}

const divisors = (n: number) => Array.from({ length: n }, (_, i) => i + 1).filter((d) => n % d === 0);

type Values = Readonly<Record<string, number>>;

/** Settings whose range follows from another's value (the library checks): drawn after it. */
const dependents = (values: Values): Record<string, fc.Arbitrary<number>> => ({
  commsTimeoutS: biasedToMax({
    ...rangeOf('commsTimeoutS'),
    min: 2 * values.pollIntervalS,
    minExcluded: true,
  }),
  'pack.parallelStringCount': fc.constantFrom(...divisors(values['pack.moduleCount'])),
  'inverter.reconnect.initialDelayS': biasedToMax({
    ...rangeOf('inverter.reconnect.initialDelayS'),
    max: values['inverter.reconnect.maxDelayS'],
  }),
  'notifications.retry.initialDelayS': biasedToMax({
    ...rangeOf('notifications.retry.initialDelayS'),
    max: values['notifications.retry.maxDelayS'],
  }),
  'mqtt.reconnect.initialDelayS': biasedToMax({
    ...rangeOf('mqtt.reconnect.initialDelayS'),
    max: values['mqtt.reconnect.maxDelayS'],
  }),
});

const DEPENDENT = Object.keys(dependents(Object.fromEntries(BOUNDED.map((p) => [p, rangeOf(p).max]))));

/** Every bounded setting drawn from its accepted range. */
const boundedValues: fc.Arbitrary<Values> = fc
  .record(
    Object.fromEntries(
      BOUNDED.filter((p) => !DEPENDENT.includes(p)).map((p) => [p, biasedToMax(rangeOf(p))]),
    ),
  )
  .chain((values) => fc.record(dependents(values)).map((drawn) => ({ ...values, ...drawn })));

const everyMaximum: Values = Object.fromEntries(BOUNDED.map((p) => [p, rangeOf(p).max]));

async function closedLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The script over `configs`, its stderr in `stderrFile`; resolves with its report. */
function startEach(stderrFile: string, configs: readonly string[]): Promise<StartReport> {
  const stderr = openSync(stderrFile, 'w');
  try {
    const child = spawn(
      process.execPath,
      ['--conditions=@tsbms/source', '-r', '@swc-node/register', SCRIPT, stderrFile, ...configs],
      { cwd: workspaceRoot, stdio: ['ignore', 'pipe', stderr], timeout: BATCH_CAP_MS, killSignal: 'SIGKILL' },
    );
    let stdout = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) =>
        code === 0
          ? resolve(JSON.parse(stdout) as StartReport)
          : reject(new Error(`start-warnings ended with ${code ?? signal}: ${stdout}`)),
      );
    });
  } finally {
    closeSync(stderr);
  }
}

/** The runs of `configs`, in their order, from {@link CHILDREN} children sharing them out. */
async function startAll(configs: readonly string[]): Promise<StartRun[]> {
  const reports = await Promise.all(
    Array.from({ length: CHILDREN }, (_, child) =>
      startEach(
        path.join(dir, `stderr-${child}.log`),
        configs.filter((_, i) => i % CHILDREN === child),
      ),
    ),
  );
  const order = (run: StartRun) => configs.indexOf(run.config);
  return reports.flatMap((report) => report.runs).sort((a, b) => order(a) - order(b));
}

/** At most 3 lines of each kind: a warning on every 1 ms wake would be thousands. */
function summary(run: StartRun) {
  const firstOf = (lines: readonly string[]) =>
    lines.length <= 3 ? lines : [...lines.slice(0, 3), `… and ${lines.length - 3} more`];
  return { ...run, warnings: firstOf(run.warnings), strayStderr: firstOf(run.strayStderr) };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tsbms-start-warnings-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('any accepted config', () => {
  it('starts without a warning on stderr, up to its first scan', async () => {
    const seed = Date.now();
    const brokerPort = await closedLoopbackPort();
    const documents = [everyMaximum, ...fc.sample(boundedValues, { numRuns: GENERATED, seed })].map(
      (values, run) => {
        const document: Record<string, unknown> = {
          http: { port: 0 },
          mqtt: { url: `mqtt://127.0.0.1:${brokerPort}` },
          inverter: { interface: ABSENT_CAN_INTERFACE },
          stateFile: path.join(dir, `${run}.state.json`),
        };
        for (const [settingPath, value] of Object.entries(values)) {
          setAtPath(document, settingPath.split('.'), value);
        }
        return document;
      },
    );
    const files = documents.map((document, run) => {
      const file = path.join(dir, `${run}.json`);
      writeFileSync(file, JSON.stringify(document));
      return file;
    });
    const refused = files.flatMap((file, run) => {
      try {
        parseControllerConfig(documents[run], file);
        return [];
      } catch (error) {
        return [(error as Error).message];
      }
    });
    expect({ seed, refused }).toEqual({ seed, refused: [] });

    const runs = await startAll(files);
    expect(runs.map((run) => run.config)).toEqual(files);
    // Every run that did not start cleanly, with its settings (the files go with the temp folder).
    const clean = (run: StartRun) =>
      run.exitCode === 0 && run.firstScan && run.warnings.length === 0 && run.strayStderr.length === 0;
    const notClean = runs
      .map((run, i) => ({ settings: documents[i], ...summary(run) }))
      .filter((_, i) => !clean(runs[i]));
    expect({ seed, notClean }).toEqual({ seed, notClean: [] });
  }, 120_000);
});
