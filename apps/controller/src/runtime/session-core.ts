import {
  createBms,
  ReplaySource,
  type CoreStarter,
  type LinkStats,
  type RecordingError,
} from '@tsbms/bms-core';
import type { ByteLink, CurrentSource, LineErrorCounts } from '@tsbms/hal';
import type { BusStats } from '@tsbms/tesla-protocol';
import { libraryConfigs, type ControllerConfig } from '../config';
import { lazyRecordingLines } from '../recording';
import { startTeslaCore } from './tesla-core';

/** The controller's sessions: bms-core's supervisor starts each on the controller's configuration. */
export type ControllerCoreStarter = CoreStarter<ControllerConfig>;

/**
 * The Tesla loop's counters (T-5) as bms-core's LinkStats: totals, and the same per address; with
 * the serial port's own UART counts (`ByteLink.lineErrors()`) among the totals where it keeps them.
 */
export function linkStatsOf(stats: BusStats, uart: LineErrorCounts | null = null): LinkStats {
  const { perModule, ...loop } = stats;
  const totals =
    uart === null ? loop : { ...loop, framingErrors: uart.framingErrors, overruns: uart.overruns };
  return {
    totals,
    perModule: Object.fromEntries(
      Object.entries(perModule).map(([address, counts]) => [address, { ...counts }]),
    ),
  };
}

/**
 * The daemon: the core on the Tesla module chain behind `link` (a serial port or the demo's
 * emulated chain), with the pack current sensor when one is fitted (opened once, for every session).
 */
export function teslaCoreStarter(
  link: ByteLink,
  current: CurrentSource | null,
  currentCheck: CurrentSource | null = null,
): ControllerCoreStarter {
  return (start) => {
    const { config } = start;
    const core = startTeslaCore({
      ...start,
      ...(current === null ? {} : { current }),
      ...(currentCheck === null ? {} : { currentCheck }),
      link,
      libraries: libraryConfigs(config),
      settings: {
        programHardwareThresholds: config.programHardwareThresholds,
        readWithCrc: config.serial.readWithCrc,
        replyTimeoutMs: config.serial.replyTimeoutMs,
      },
    });
    return {
      ...core,
      linkStats: () => linkStatsOf(core.source.stats, link.lineErrors?.() ?? null),
      reconfigure: (next) => {
        const libraries = libraryConfigs(next);
        core.bms.reconfigure(libraries);
        // The boards trip outside the software levels (T-18): they follow a changed limit.
        if (next.programHardwareThresholds) core.source.setHardwareThresholds(libraries.hardwareThresholds);
      },
    };
  };
}

/**
 * `--replay FILE --pace realtime`: the core on a recording played at its own pace, with every
 * output running as in the daemon. Each session (a restart after a config change) plays the
 * recording from its start.
 */
export function replayCoreStarter(
  file: string,
  onSkippedLine: (error: RecordingError) => void,
): ControllerCoreStarter {
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
    return {
      bms,
      source,
      linkStats: () => null,
      reconfigure: (next) => bms.reconfigure(libraryConfigs(next)),
    };
  };
}
