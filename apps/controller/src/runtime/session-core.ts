import {
  createBms,
  ReplaySource,
  type Bms,
  type BmsRelays,
  type OutputsStatus,
  type PersistedBmsState,
  type RecordingError,
  type StateFileStatus,
} from '@tsbms/bms-core';
import type { ByteLink, Clock, Logger } from '@tsbms/hal';
import type { PackSource } from '@tsbms/pack-reading';
import type { BusStats } from '@tsbms/tesla-protocol';
import { libraryConfigs, type ControllerConfig } from '../config';
import { lazyRecordingLines } from '../recording';
import { startTeslaCore } from './tesla-core';

/** What the supervisor hands a new core: the settings it runs on and what the last one left. */
export interface CoreStart {
  readonly config: ControllerConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly relays: BmsRelays;
  readonly persisted: PersistedBmsState | null;
  readonly contactorsLastOpenedAtMs: number | null;
  readonly outputStatus: () => OutputsStatus;
  readonly stateFileStatus?: () => StateFileStatus;
}

/** One session's core on its source. */
export interface SessionCore {
  readonly bms: Bms;
  readonly source: PackSource;
  /** Serial-loop counters (T-5) for /metrics; null for a source without a serial loop. */
  busStats(): BusStats | null;
}

export type CoreStarter = (start: CoreStart) => SessionCore;

/** The daemon: the core on the Tesla module chain behind `link` (a serial port or the demo's emulated chain). */
export function teslaCoreStarter(link: ByteLink): CoreStarter {
  return (start) => {
    const { config } = start;
    const core = startTeslaCore({
      ...start,
      link,
      libraries: libraryConfigs(config),
      settings: {
        programHardwareThresholds: config.programHardwareThresholds,
        readWithCrc: config.serial.readWithCrc,
        replyTimeoutMs: config.serial.replyTimeoutMs,
      },
    });
    return { ...core, busStats: () => core.source.stats };
  };
}

/**
 * `--replay FILE --pace realtime`: the core on a recording played at its own pace, with every
 * output running as in the daemon. Each session (a restart after a config change) plays the
 * recording from its start.
 */
export function replayCoreStarter(file: string, onSkippedLine: (error: RecordingError) => void): CoreStarter {
  return (start) => {
    const played = () => {
      const { scans, skippedLines } = source.progress;
      start.logger.info(
        { event: 'replay', file, scans, skippedLines },
        `${file}: played to the end (${scans} scans, ${skippedLines} malformed lines skipped); no more scans will come, so the comms timeout opens the contactors`,
      );
    };
    const libraries = libraryConfigs(start.config);
    const source = new ReplaySource({
      lines: lazyRecordingLines(file),
      pace: { realtime: start.clock },
      onSkippedLine,
    });
    const bms = createBms({
      ...start,
      source,
      config: libraries,
    });
    void source.whenFinished().then((failure) => {
      if (failure === null) played();
    });
    return { bms, source, busStats: () => null };
  };
}
