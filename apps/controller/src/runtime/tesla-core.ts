import { createBms, type Bms, type BmsOptions, type BmsStatus } from '@tsbms/bms-core';
import type { ByteLink } from '@tsbms/hal';
import { TeslaScanLoop } from '@tsbms/tesla-protocol';
import type { LibraryConfigs } from '../config';

/** Serial-loop settings that belong to no library; module count and poll interval come from `control`. */
export interface TeslaLoopSettings {
  /** Write COV/CUV/OT into the boards at setup (T-18); otherwise setup only clears latched bits. */
  readonly programHardwareThresholds: boolean;
  readonly readWithCrc: boolean;
  readonly replyTimeoutMs: number;
  /** Discovery retry and recovery interval (T-16, B-44). Default 5 s. */
  readonly discoveryRetryS?: number;
  /** Re-send of ADC_CONTROL / IO_CONTROL / CB_TIME (T-17). Default 60 s. */
  readonly controlBroadcastIntervalS?: number;
}

/** The core's options without its source and library settings, plus what the Tesla loop needs. */
export type TeslaCoreOptions = Omit<BmsOptions, 'source' | 'config' | 'inspectOnly'> & {
  readonly link: ByteLink;
  readonly libraries: LibraryConfigs;
  readonly settings: TeslaLoopSettings;
};

/** The BMS core on a Tesla module chain: the scan loop is its source. */
export interface TeslaCore {
  readonly bms: Bms;
  readonly source: TeslaScanLoop;
}

function scanLoop(options: TeslaCoreOptions): TeslaScanLoop {
  const { libraries, settings } = options;
  return new TeslaScanLoop({
    link: options.link,
    clock: options.clock,
    logger: options.logger,
    moduleCount: libraries.control.moduleCount,
    pollIntervalS: libraries.control.pollIntervalS,
    hardwareThresholds: settings.programHardwareThresholds ? libraries.hardwareThresholds : null,
    readWithCrc: settings.readWithCrc,
    replyTimeoutMs: settings.replyTimeoutMs,
    discoveryRetryS: settings.discoveryRetryS,
    controlBroadcastIntervalS: settings.controlBroadcastIntervalS,
    setUpAdvice: (error) =>
      error.code === 'PROTECTED_REGISTERS_UNANSWERED' ? PROTECTED_REGISTERS_ADVICE : null,
  });
}

/** What a user of boards without the protected registers can do: this controller's own setting. */
export const PROTECTED_REGISTERS_ADVICE =
  'to run on these boards, set programHardwareThresholds: false in the config (tsBMS then protects with its software levels only)';

/** The status notice while the boards' own trips are not programmed (issue 16). */
export const HARDWARE_PROTECTION_OFF = 'hardware protection off: software limits only';

function coreOn(source: TeslaScanLoop, options: TeslaCoreOptions, inspectOnly: boolean): Bms {
  // The library settings include the loop's hardware thresholds, which the core does not read.
  return createBms({
    ...options,
    source,
    config: options.libraries,
    inspectOnly,
    notices: options.settings.programHardwareThresholds ? [] : [HARDWARE_PROTECTION_OFF],
  });
}

/** Starts the core: discovery (retried), setup, then a scan every poll interval until `bms.stop()`. */
export function startTeslaCore(options: TeslaCoreOptions): TeslaCore {
  if (!options.settings.programHardwareThresholds) {
    options.logger.warn(
      { event: 'setup', programHardwareThresholds: false },
      `${HARDWARE_PROTECTION_OFF}: programHardwareThresholds is false, so the boards' own over-voltage, under-voltage and over-temperature trips (COV, CUV, OT) are left as they are and only tsBMS's levels protect the cells`,
    );
  }
  const source = scanLoop(options);
  return { bms: coreOn(source, options, false), source };
}

/** The outcome of {@link inspectTeslaPack}. */
export type InspectResult =
  | { readonly ok: true; readonly status: BmsStatus }
  | { readonly ok: false; readonly reason: string; readonly status: BmsStatus };

/** `--once`: one discovery, setup and scan through the core, which never closes a relay; then everything stops. */
export async function inspectTeslaPack(options: TeslaCoreOptions): Promise<InspectResult> {
  const source = scanLoop(options);
  const bms = coreOn(source, options, true);
  const outcome = await source.scanOnce();
  const status = bms.status();
  await bms.stop();
  return outcome.ok ? { ok: true, status } : { ok: false, reason: outcome.reason, status };
}
