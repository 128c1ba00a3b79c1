import { Scope } from '@tsbms/test-support';
import {
  delay,
  injectOverVoltage,
  playInverterKeepAlive,
  RECORD_AFTER_FAULT_MS,
  recordCandump,
  sampleStatusEvery,
  startPublishingController,
  type GuestResults,
} from './victron-can-guest';

/*
 * Runs INSIDE user-mode Linux (tools/with-vcan), driven by e2e/inverter-profiles.spec.ts: for each
 * profile other than Victron's (victron-can-guest.ts covers that one, as the default), the emulator
 * app on a socat pty pair and the controller with `--can vcan0 --inverter PROFILE`, `candump -L
 * vcan0` recording and `cansend` playing the inverter's 0x305; publish for a while, then an
 * over-voltage through the emulator's control API. One boot for both profiles. It prints one JSON
 * line of observations; every assertion is in the spec.
 */

export const GUEST_PROFILES = ['pylontech', 'sma-sunny-island'] as const;
/**
 * A 48 V pack, 2 modules (12S): what these inverters are built for. The Sunny Island refuses a
 * charge voltage above 63 V, and the controller refuses an 18S pack on it (checkInverterSettings).
 */
export const PROFILE_GUEST_MODULES = 2;
/** Five 1 s bursts at least before the fault: enough to judge the schedule, lean on CI time. */
export const PROFILE_RECORD_BEFORE_FAULT_MS = 5000;

/** One profile's run: the Victron guest's observations but the interface going down and up. */
export interface ProfileRun extends Omit<GuestResults, 'interfaceDownAtMs' | 'interfaceUpAtMs'> {
  readonly profile: string;
}

export interface ProfilesGuestResults {
  readonly runs: ProfileRun[];
}

async function runProfile(result: ProfileRun, scope: Scope): Promise<void> {
  recordCandump(scope, result);
  playInverterKeepAlive(scope);
  const { daemon, emulatorApi, publishingLine } = await startPublishingController(scope, result, {
    name: result.profile,
    modules: PROFILE_GUEST_MODULES,
    extraArgs: ['--inverter', result.profile],
  });
  const sampler = sampleStatusEvery(scope, result);
  await delay(PROFILE_RECORD_BEFORE_FAULT_MS);
  await injectOverVoltage(result, emulatorApi, daemon, publishingLine);
  await delay(RECORD_AFTER_FAULT_MS);
  clearInterval(sampler);
  result.controllerExitCode = await daemon.stop();
  // Let candump print what is still buffered.
  await delay(200);
}

async function main(): Promise<void> {
  const runs: ProfileRun[] = [];
  for (const profile of GUEST_PROFILES) {
    const result: ProfileRun = {
      profile,
      candump: [],
      candumpErrors: [],
      log: [],
      statusSamples: [],
      statusUrl: null,
      faultInjectedAtMs: null,
      controllerExitCode: null,
    };
    runs.push(result);
    // Each profile in its own scope: its candump, emulator and controller are gone before the next.
    const scope = new Scope();
    try {
      await runProfile(result, scope);
    } catch (error) {
      result.failure = error instanceof Error ? error.message : String(error);
    } finally {
      await scope.close();
    }
  }
  process.stdout.write(`${JSON.stringify({ runs } satisfies ProfilesGuestResults)}\n`);
}

if (require.main === module) void main();
