import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { ControllerDaemon, putJson, startEmulator, startPty, type LogLine } from './process-harness';
import { Scope, stopProcess } from '@tsbms/test-support';

/*
 * Runs INSIDE user-mode Linux (tools/with-vcan), driven by e2e/victron-can.spec.ts: the emulator
 * app on one end of a socat pty pair, the controller with `--serial` and `--can vcan0` on the
 * other, `candump -L vcan0` recording and `cansend` playing the GX's keep-alive. Steps: publish
 * for a while, inject an over-voltage through the emulator's control API, take vcan0 down and up
 * again. It prints one JSON line of observations; every assertion is in the spec. The candump
 * timestamps and the controller's log `time` come from the same guest clock.
 */

export const GUEST_MODULES = 3;
export const GUEST_CELLS_V = [3.95, 3.97, 3.96, 3.98, 3.95, 3.96];
/** cellHighVoltageV 4.1 + voltageFaultOffsetV 0.05 = 4.15 V fault level; the chip's COV is 4.20 V. */
export const GUEST_OVER_VOLTAGE_V = 4.17;
/** Long enough that, on a loaded guest, at least 15 frames fall between sampled scans (the decode check). */
export const RECORD_BEFORE_FAULT_MS = 9000;
export const RECORD_AFTER_FAULT_MS = 2500;
const INTERFACE_DOWN_MS = 3000;
const RECORD_AFTER_RETURN_MS = 3000;
/** Twice per scan, so that a late answer on a loaded guest still leaves every scan sampled. */
const STATUS_SAMPLE_MS = 250;
/** Every profile sends its limits every second (Victron, Pylontech P-8, SMA); half a period more for a loaded guest. */
const LIMIT_FRAME_PERIOD_MS = 1500;

/** The guest's controller settings; the profiles' guest (inverter-profiles-guest.ts) shares them. */
export const GUEST_CONFIG = {
  pack: { moduleCount: GUEST_MODULES },
  // User-mode Linux is slow: a calm poll keeps the scan watchdog and comms timeouts out of the way.
  pollIntervalS: 0.5,
  commsTimeoutS: 5,
  // A cold start on a loaded guest once missed the 100 ms default three times: discovery failed,
  // and moduleCountMismatch held the limits at 0 for its 60 s clear delay (behaviour doc §2.3), past the test.
  serial: { replyTimeoutMs: 500 },
  cells: { cellHighVoltageV: 4.1, voltageFaultOffsetV: 0.05, overVoltageDelayS: 1 },
  balancing: { enabled: false },
  // Limits leave 0 a second after closing (not 30 s), so the fault visibly reduces them.
  limits: { chargeHysteresisTimeS: 1 },
  contactors: { contactorNegativeTimeS: 0.2, contactorPrechargeTimeS: 0.5, contactorOverlapS: 0.2 },
  inverter: { reconnect: { initialDelayS: 0.5, maxDelayS: 1 } },
  http: { port: 0 },
};

export interface StatusSample {
  readonly atMs: number;
  readonly status: Record<string, unknown>;
}

export interface GuestResults {
  failure?: string;
  candump: string[];
  candumpErrors: string[];
  log: LogLine[];
  /** GET /api/status samples; empty when the controller has no HTTP output. */
  statusSamples: StatusSample[];
  statusUrl: string | null;
  faultInjectedAtMs: number | null;
  interfaceDownAtMs: number | null;
  interfaceUpAtMs: number | null;
  controllerExitCode: number | null;
}

export const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function sampleStatus(url: string, samples: StatusSample[]): Promise<void> {
  const atMs = Date.now();
  const response = await fetch(url);
  samples.push({ atMs, status: (await response.json()) as Record<string, unknown> });
}

function ipLink(state: 'up' | 'down'): void {
  const result = spawnSync('ip', ['link', 'set', 'vcan0', state], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ip link set vcan0 ${state}: ${result.stderr}`);
}

/** Records `candump -L vcan0` into the results until the scope closes (or vcan0 goes down). */
export function recordCandump(scope: Scope, results: Pick<GuestResults, 'candump' | 'candumpErrors'>): void {
  const candump = spawn('candump', ['-L', 'vcan0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  scope.add(() => stopProcess(candump));
  createInterface({ input: candump.stdout }).on('line', (line) => results.candump.push(line));
  candump.stderr.on('data', (chunk) => results.candumpErrors.push(String(chunk).trim()));
}

/** The inverter's 0x305 once a second from `cansend`, as a GX (and most inverters) send it. */
export function playInverterKeepAlive(scope: Scope): void {
  const keepAlive = setInterval(() => {
    spawn('cansend', ['vcan0', '305#0000000000000000'], { stdio: 'ignore' }).on('error', () => undefined);
  }, 1000);
  scope.add(async () => clearInterval(keepAlive));
}

/** GET /api/status every STATUS_SAMPLE_MS into the results, once the HTTP output's URL is known. */
export function sampleStatusEvery(
  scope: Scope,
  results: Pick<GuestResults, 'statusUrl' | 'statusSamples'>,
): NodeJS.Timeout {
  const sampler = setInterval(() => {
    if (results.statusUrl) sampleStatus(results.statusUrl, results.statusSamples).catch(() => undefined);
  }, STATUS_SAMPLE_MS);
  scope.add(async () => clearInterval(sampler));
  return sampler;
}

/**
 * Once charge and discharge are both allowed (or "reduced limits" would prove nothing), raises a
 * cell above the fault level through the emulator's control API and waits for the fault.
 */
export async function injectOverVoltage(
  results: Pick<GuestResults, 'statusSamples' | 'faultInjectedAtMs'>,
  emulatorApi: string,
  daemon: ControllerDaemon,
  fromLine: number,
): Promise<void> {
  const limitsOpenBy = Date.now() + 30_000;
  const open = (sample: GuestResults['statusSamples'][number] | undefined) => {
    const limits = sample?.status.limits as { cclA: number; dclA: number } | null | undefined;
    return limits !== null && limits !== undefined && limits.cclA > 0 && limits.dclA > 0;
  };
  // Every profile sends its limits at least once a second: once the status has shown them open
  // for longer than that, a frame carrying them has gone out before the fault (the host checks it).
  const allowed = () => {
    const samples = results.statusSamples;
    let first = samples.length;
    while (first > 0 && open(samples[first - 1])) first -= 1;
    return first < samples.length && Date.now() - samples[first].atMs > LIMIT_FRAME_PERIOD_MS;
  };
  while (!allowed()) {
    if (Date.now() > limitsOpenBy) {
      const last = results.statusSamples.at(-1)?.status;
      throw new Error(
        `charge and discharge limits stayed at 0 for 30 s; last status: ${JSON.stringify({
          limits: last?.limits,
          faults: last?.faults,
          contactors: last?.contactors,
        })}`,
      );
    }
    await delay(STATUS_SAMPLE_MS);
  }
  results.faultInjectedAtMs = Date.now();
  const status = await putJson(`${emulatorApi}/api/modules/2/cells/3`, { voltageV: GUEST_OVER_VOLTAGE_V });
  if (status !== 204) throw new Error(`emulator refused the over-voltage: HTTP ${status}`);
  await daemon.waitFor(
    (l) => l.event === 'fault' && l.type === 'raise' && l.kind === 'cellOverVoltage' && l.level === 'fault',
    fromLine,
    20_000,
  );
}

/** What startPublishingController started: the daemon, the emulator's control API, the line it published from. */
export interface PublishingController {
  readonly daemon: ControllerDaemon;
  readonly emulatorApi: string;
  readonly publishingLine: number;
}

/**
 * In a fresh work folder: the emulator app with `modules` modules on one end of a socat pty pair,
 * the controller with `--serial` on the other, `--can vcan0` and `extraArgs`, the guest's settings
 * with that module count; resolves once the CAN output publishes. The status URL is set from the
 * HTTP output's log line (without it, the log lines are the status source).
 */
export async function startPublishingController(
  scope: Scope,
  results: Pick<GuestResults, 'log' | 'statusUrl'>,
  options: { readonly name: string; readonly modules: number; readonly extraArgs: readonly string[] },
): Promise<PublishingController> {
  const workDir = mkdtempSync(path.join(tmpdir(), `tsbms-${options.name}-`));
  scope.add(async () => rmSync(workDir, { recursive: true, force: true }));
  const configFile = path.join(workDir, 'bms.json');
  writeFileSync(configFile, JSON.stringify({ ...GUEST_CONFIG, pack: { moduleCount: options.modules } }));
  const pty = await startPty(scope, workDir);
  const emulator = await startEmulator(scope, pty.pathA, { modules: options.modules, cellsV: GUEST_CELLS_V });
  const daemon = new ControllerDaemon(scope, [
    '--serial',
    pty.pathB,
    '--config',
    configFile,
    '--can',
    'vcan0',
    ...options.extraArgs,
  ]);
  results.log = daemon.lines;
  const publishing = await daemon.waitFor(
    (l) => l.event === 'can' && /first valid scan/.test(l.msg),
    0,
    60_000,
  );
  const http = daemon.lines.find((l) => l.event === 'http' && typeof l.url === 'string');
  results.statusUrl = http ? `${String(http.url).replace(/\/$/, '')}/api/status` : null;
  return { daemon, emulatorApi: emulator.api, publishingLine: publishing.index };
}

async function run(results: GuestResults, scope: Scope): Promise<void> {
  // candump ends when vcan0 goes down ("Network is down"): a new one records after it returns.
  const record = () => recordCandump(scope, results);
  record();
  playInverterKeepAlive(scope);
  const { daemon, emulatorApi, publishingLine } = await startPublishingController(scope, results, {
    name: 'can',
    modules: GUEST_MODULES,
    extraArgs: [],
  });
  const sampler = sampleStatusEvery(scope, results);

  await delay(RECORD_BEFORE_FAULT_MS);
  await injectOverVoltage(results, emulatorApi, daemon, publishingLine);
  await delay(RECORD_AFTER_FAULT_MS);

  results.interfaceDownAtMs = Date.now();
  ipLink('down');
  await delay(INTERFACE_DOWN_MS);
  ipLink('up');
  results.interfaceUpAtMs = Date.now();
  record();
  await daemon.waitFor((l) => l.event === 'can' && /open again/.test(l.msg), publishingLine, 20_000);
  await delay(RECORD_AFTER_RETURN_MS);
  clearInterval(sampler);
  results.controllerExitCode = await daemon.stop();
  // Let candump print what is still buffered.
  await delay(200);
}

async function main(): Promise<void> {
  const results: GuestResults = {
    candump: [],
    candumpErrors: [],
    log: [],
    statusSamples: [],
    statusUrl: null,
    faultInjectedAtMs: null,
    interfaceDownAtMs: null,
    interfaceUpAtMs: null,
    controllerExitCode: null,
  };
  const scope = new Scope();
  try {
    await run(results, scope);
  } catch (error) {
    results.failure = error instanceof Error ? error.message : String(error);
  } finally {
    await scope.close();
  }
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

if (require.main === module) void main();
