import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { pino } from 'pino';
import { systemClock, type ByteLink, type Logger } from '@tsbms/hal';
import { historyMaxBytes, historyScanRingMs, recordHistory, SqliteHistoryStore } from '@tsbms/history';
import { createSystemdNotifier, SerialByteLink, type ScanProgress } from '@tsbms/hal-linux';
import type { EmulatedChain } from '@tsbms/module-emulator';
import {
  CONTROLLER_SETTING_EFFECTS,
  ConfigStore,
  configFileError,
  libraryConfigs,
  loadControllerConfig,
  type ConfigCheckpoint,
  type ControllerConfig,
} from '../config';
import { BmsSupervisor, type BmsStatus, type ConfigSource } from '@tsbms/bms-core';
import {
  controllerSessionTasks,
  inspectTeslaPack,
  replayCoreStarter,
  teslaCoreStarter,
  type ControllerCoreStarter,
  openCurrentSensor,
  retryingCurrentSensor,
  sensorHasLinkVoltage,
  type CurrentSensorRole,
  type OpenedCurrentSensor,
} from '../runtime';
import { checkOutputSettings, controllerVersion, outputServices, REMOTE_CHANGE_CHECKS } from '../services';
import { backupFileName, exportBackupText } from '../backup/export-backup';
import { daemonSupportBundle } from '../support-bundle/daemon-bundle';
import type { SupportBundle } from '../support-bundle/support-bundle';
import { RuntimeStateFile } from '../supervisor';

/** The running configuration and the config file behind it (bms-core's supervisor applies changes). */
type ControllerConfigSource = ConfigSource<ControllerConfig, ConfigCheckpoint>;
import {
  commandLineOverrides,
  CONTROLLER_USAGE,
  parseControllerArgs,
  type ControllerCliOptions,
} from './cli-options';
import { openControllerGpio, type ControllerGpio } from './controller-gpio';
import { formatStatus } from './format-status';
import { replayFast } from './replay-fast';

/** Cell voltages of the demo pack, repeated over every module: cell 4 high enough to balance. */
export const DEMO_CELL_VOLTAGES_V: readonly number[] = [3.92, 3.93, 3.92, 3.98, 3.93, 3.92];

/** Serial reconnect backoff for the daemon (hal-linux's SerialByteLink does the retrying). */
const SERIAL_RECONNECT = { initialDelayMs: 500, maxDelayMs: 30_000 };

/** JSON lines for journald and log shippers; readable lines when a person watches a terminal. */
function createLogger(stderr: NodeJS.WritableStream): pino.Logger {
  // pino-pretty is loaded only for a person at a terminal: a service never pays for it.
  const destination = (stderr as { isTTY?: boolean }).isTTY
    ? (require('pino-pretty') as typeof import('pino-pretty'))({
        destination: 2,
        sync: true,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname,name',
        singleLine: true,
      })
    : pino.destination({ fd: 2, sync: true });
  return pino({ name: 'tsbms-controller' }, destination);
}

/**
 * The configured current sensor of `role`; when it cannot be opened, one that stays silent while
 * opening is retried, so the core raises currentSensorLost and runs on voltage-based SoC rather
 * than not running at all, and picks the sensor up when it answers.
 */
async function currentSensorOrRetry(
  config: ControllerConfig,
  demo: boolean,
  logger: pino.Logger,
  role: CurrentSensorRole,
): Promise<OpenedCurrentSensor | null> {
  const open = () => openCurrentSensor(config, demo, systemClock, logger, role);
  try {
    return await open();
  } catch (error) {
    const description = `${config[role].type} current sensor${role === 'currentSensorCheck' ? ' (check)' : ''}`;
    logger.error(
      { event: 'currentSensor', role, error: (error as Error).message },
      `${description} unavailable, running without it (currentSensorLost) and retrying: ${(error as Error).message}`,
    );
    return retryingCurrentSensor({
      description,
      open: async () => {
        const opened = await open();
        if (opened === null) throw new Error('no sensor configured');
        return opened;
      },
      linkVoltage: role === 'currentSensor' && sensorHasLinkVoltage(config[role]),
      clock: systemClock,
      logger,
    });
  }
}

interface ControllerIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
}

interface OpenedLink {
  readonly link: ByteLink;
  readonly chain: EmulatedChain | null;
}

export async function openLink(
  config: ControllerConfig,
  daemon: boolean,
  logger: pino.Logger,
): Promise<OpenedLink> {
  const { path, baudRate } = config.serial;
  if (path === null) {
    // Loaded only for the demo: a daemon on real modules never pays for the emulator.
    const { EmulatedChain } = require('@tsbms/module-emulator') as typeof import('@tsbms/module-emulator');
    const chain = new EmulatedChain({
      clock: systemClock,
      modules: config.pack.moduleCount,
      seed: config.emulator.seed,
      cellVoltagesV: DEMO_CELL_VOLTAGES_V,
      temperaturesC: [24, 26],
    });
    logger.info(
      { event: 'link', source: 'emulated', modules: config.pack.moduleCount, seed: config.emulator.seed },
      `no serial path: running on an in-process EMULATED pack of ${config.pack.moduleCount} modules (demo, no hardware)`,
    );
    return { link: chain.link, chain };
  }
  const link = new SerialByteLink({
    path,
    baudRate,
    ...(daemon ? { reconnect: SERIAL_RECONNECT } : {}),
    logger,
  });
  await link.open();
  logger.info({ event: 'link', source: path, baudRate }, `opened ${path} at ${baudRate} baud`);
  return { link, chain: null };
}

/** The config file (when given) behind the running configuration; the command line always wins. */
function configSourceFor(cli: ControllerCliOptions, env: NodeJS.ProcessEnv): ControllerConfigSource {
  const commandLine = commandLineOverrides(cli);
  if (cli.configFile === undefined) {
    const config = loadControllerConfig(undefined, env, commandLine);
    return {
      config: () => config,
      update: () => {
        throw configFileError(
          '(none)',
          'no config file to save to: start the controller with --config FILE to change settings at run time',
        );
      },
      checkpoint: () => ({ text: '', config }),
      restore: () => config,
    };
  }
  const store = ConfigStore.open(cli.configFile, env, { commandLine });
  return {
    config: () => store.config,
    update: (patch) => store.update(patch, REMOTE_CHANGE_CHECKS),
    checkpoint: () => store.checkpoint(),
    restore: (checkpoint) => store.restore(checkpoint),
  };
}

/** For systemd's watchdog: the loop went round (a scan's time), and a module answered in it. */
function scanProgressOf(status: BmsStatus): ScanProgress {
  return { latestScanMs: status.timestampMs, anyModuleAnswered: status.modules.some((m) => m.commsOk) };
}

/** Runs the controller as the command line asks; resolves with the process exit code. */
export async function runController(argv: readonly string[], io: ControllerIo): Promise<number> {
  const fail = (code: number, message: string) => {
    io.stderr.write(`controller: ${message}\n`);
    return code;
  };
  let cli: ControllerCliOptions;
  let configSource: ControllerConfigSource;
  let config: ControllerConfig;
  let libraries: ReturnType<typeof libraryConfigs>;
  try {
    const parsed = parseControllerArgs(argv);
    if (parsed === 'help') {
      io.stdout.write(`${CONTROLLER_USAGE}\n`);
      return 0;
    }
    cli = parsed;
    configSource = configSourceFor(cli, io.env);
    config = configSource.config();
    libraries = libraryConfigs(config);
    checkOutputSettings(config, cli.configFile ?? 'defaults');
  } catch (error) {
    return fail(2, (error as Error).message.split('\n')[0]);
  }
  if (cli.replay?.pace === 'fast') return replayFast(cli.replay.file, libraries, io);

  const logger = createLogger(io.stderr);
  const version = controllerVersion();
  logger.info(
    { event: 'start', version, node: process.version },
    `tsBMS controller ${version} on Node ${process.version}`,
  );
  const replay = cli.replay;
  // A replay reads no modules: no link, and the core runs on the recording.
  let opened: OpenedLink | null = null;
  let currentSensor: OpenedCurrentSensor | null = null;
  let currentCheck: OpenedCurrentSensor | null = null;
  let startCore: ControllerCoreStarter;
  try {
    if (replay === undefined) {
      opened = await openLink(config, !cli.once, logger);
      const demo = opened.chain !== null;
      if (!cli.once) {
        currentSensor = await currentSensorOrRetry(config, demo, logger, 'currentSensor');
        currentCheck = await currentSensorOrRetry(config, demo, logger, 'currentSensorCheck');
      }
      startCore = teslaCoreStarter(opened.link, currentSensor?.source ?? null, currentCheck?.source ?? null);
    } else {
      await access(replay.file, constants.R_OK);
      startCore = replayCoreStarter(replay.file, (error) =>
        logger.warn(
          { event: 'replay', line: error.lineNumber },
          `${replay.file}: ${error.message} (skipped)`,
        ),
      );
      logger.info(
        { event: 'link', source: 'replay', file: replay.file },
        `replaying ${replay.file} in real time through the BMS core (no modules are read)`,
      );
    }
  } catch (error) {
    return fail(1, (error as Error).message.split('\n')[0]);
  }
  const chain = opened?.chain ?? null;
  const closeLink = async () => {
    await currentSensor?.close();
    await currentCheck?.close();
    await opened?.link.close();
  };
  let gpio: ControllerGpio;
  try {
    // A replay never switches real relays: it is a rehearsal.
    gpio = openControllerGpio(config, { simulated: chain !== null || replay !== undefined, logger });
  } catch (error) {
    await closeLink();
    return fail(1, (error as Error).message.split('\n')[0]);
  }
  if (cli.once && opened !== null) {
    const result = await inspectTeslaPack({
      link: opened.link,
      clock: systemClock,
      logger,
      relays: gpio.relays,
      libraries,
      settings: {
        programHardwareThresholds: config.programHardwareThresholds,
        readWithCrc: config.serial.readWithCrc,
        replyTimeoutMs: config.serial.replyTimeoutMs,
      },
    });
    gpio.release();
    await opened.link.close();
    io.stdout.write(cli.json ? `${JSON.stringify(result.status, null, 2)}\n` : formatStatus(result.status));
    return result.ok ? 0 : fail(1, result.reason);
  }

  const stateFilePath =
    config.stateFile ?? (cli.configFile === undefined ? null : `${cli.configFile}.state.json`);
  const history = openHistory(config, cli.configFile, logger);
  const supervisor = new BmsSupervisor({
    startCore,
    clock: systemClock,
    logger,
    configSource,
    settingEffects: CONTROLLER_SETTING_EFFECTS,
    relays: gpio.relays,
    contactorFeedback: gpio.contactorFeedback,
    services: outputServices({
      ...(stateFilePath === null
        ? {}
        : {
            // Read when asked for: the files as they are then (the state is saved every minute).
            backup: () => ({
              fileName: backupFileName(systemClock.now()),
              text: exportBackupText({
                configFile: cli.configFile ?? null,
                stateFile: stateFilePath,
                clock: systemClock,
                controllerVersion: controllerVersion(),
              }).text,
            }),
          }),
      ...(history === null ? {} : { archive: history }),
      // Made when asked for, from the supervisor's context (it carries on across restarts).
      supportBundle: (): SupportBundle =>
        daemonSupportBundle({
          context: supervisor.context,
          history,
          env: io.env,
          clock: systemClock,
          controllerVersion: controllerVersion(),
        }),
    }),
    stateStore: stateFilePath === null ? null : new RuntimeStateFile(stateFilePath, logger, systemClock),
    sessionTasks: controllerSessionTasks(
      chain,
      systemClock,
      logger,
      currentSensor?.setEmulatedCurrent ?? null,
    ),
  });
  // On the supervisor's context: it carries on across restarts, so one recording for the process.
  const historyRecording = history === null ? null : recordHistory(supervisor.context, history);
  // Under systemd (Type=notify): READY=1, the watchdog while scans complete, STOPPING=1.
  const notifier = createSystemdNotifier({
    env: io.env,
    clock: systemClock,
    logger,
    scanProgress: () => scanProgressOf(supervisor.context.status()),
  });
  const shutDown = async () => {
    // supervisor.stop() first: the relays go off in this tick, before the helper process is spawned.
    await Promise.all([supervisor.stop(), notifier?.stopping()]);
    historyRecording?.unsubscribe();
    history?.close();
    gpio.release();
    await closeLink();
  };
  return new Promise<number>((resolve) => {
    let exitCode = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      logger.info({ event: 'signal', signal }, `${signal}: shutting down`);
      void shutDown().then(() => resolve(exitCode));
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const onCrash = (error: unknown) => {
      // Fail-safe (B-13): an unhandled error opens everything before the process ends.
      logger.error({ event: 'fatal', error: String(error) }, 'unhandled error: shutting down');
      exitCode = 1;
      void shutDown().then(() => resolve(1));
    };
    process.once('uncaughtException', onCrash);
    process.once('unhandledRejection', onCrash);
    supervisor.run().catch(onCrash);
  });
}

/** The history store the config names (null = `<config file>.history.sqlite`; none for the demo without one). */
function openHistory(
  config: ControllerConfig,
  configFile: string | undefined,
  logger: Logger,
): SqliteHistoryStore | null {
  const file = config.history.file ?? (configFile === undefined ? null : `${configFile}.history.sqlite`);
  if (file === null) return null;
  const store = SqliteHistoryStore.open({
    file,
    clock: systemClock,
    logger,
    maxBytes: historyMaxBytes(config.history),
    flushIntervalS: config.history.flushIntervalS,
    scanRingMs: historyScanRingMs(config.history),
  });
  logger.info({ event: 'history', file }, `history: ${file} (${store.sizeBytes()} bytes)`);
  return store;
}
