import {
  createBms,
  type Bms,
  type BmsRelays,
  type BmsStatus,
  type OutputsStatus,
  type PersistedBmsState,
  type StateFileStatus,
} from '@tsbms/bms-core';
import type { ByteLink, Clock, Logger } from '@tsbms/hal';
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

export interface TeslaCoreOptions {
  readonly link: ByteLink;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly relays: BmsRelays;
  readonly libraries: LibraryConfigs;
  readonly settings: TeslaLoopSettings;
  /** Saved by a previous core; null or absent = a fresh start. */
  readonly persisted?: PersistedBmsState | null;
  readonly contactorsLastOpenedAtMs?: number | null;
  readonly outputStatus?: () => OutputsStatus;
  readonly stateFileStatus?: () => StateFileStatus;
}

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
  });
}

function coreOn(source: TeslaScanLoop, options: TeslaCoreOptions, inspectOnly: boolean): Bms {
  const { libraries } = options;
  return createBms({
    source,
    clock: options.clock,
    logger: options.logger,
    relays: options.relays,
    config: {
      batteryModel: libraries.batteryModel,
      faultEngine: libraries.faultEngine,
      control: libraries.control,
    },
    persisted: options.persisted,
    contactorsLastOpenedAtMs: options.contactorsLastOpenedAtMs,
    outputStatus: options.outputStatus,
    stateFileStatus: options.stateFileStatus,
    inspectOnly,
  });
}

/** Starts the core: discovery (retried), setup, then a scan every poll interval until `bms.stop()`. */
export function startTeslaCore(options: TeslaCoreOptions): TeslaCore {
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
