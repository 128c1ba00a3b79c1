import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { systemClock } from '@tsbms/hal';
import { EmulatedVeDirectMonitor } from '@tsbms/current-sensors';
import { SerialByteLink } from '@tsbms/hal-linux';
import { EmulatedChain, type EmulatedChainOptions } from '@tsbms/module-emulator';
import { createControlApi } from './control-api';
import { bridgeLinks } from './link-bridge';
import { OptionsError, parseEmulatorOptions, USAGE, type EmulatorAppOptions } from './options';
import { loadScenario, playScenario, type Scenario } from './scenario';

/** Exit codes: 0 normal stop, 1 runtime failure (device cannot be opened), 2 bad command line or files. */
const EXIT_BAD_INPUT = 2;

function chainOptionsFrom(options: EmulatorAppOptions): Omit<EmulatedChainOptions, 'clock'> {
  return {
    modules: options.modules,
    seed: options.seed,
    cellVoltagesV: options.cellVoltagesV,
    temperaturesC: options.temperaturesC,
    wireTiming: options.wireTiming ? { baud: options.baudRate, hopDelayUs: options.hopDelayUs } : undefined,
  };
}

function fail(message: string, code: number): never {
  process.stderr.write(`emulator: ${message}\n`);
  process.exit(code);
}

/**
 * `--smartshunt PATH`: a SmartShunt on VE.Direct reporting the chain's pack current and voltage (the
 * modules' voltages added up) once a second.
 */
async function startSmartShunt(
  path: string,
  chain: EmulatedChain,
  log: pino.Logger,
): Promise<{ readonly link: SerialByteLink; stop(): void } | 'failed'> {
  const link = new SerialByteLink({
    path,
    baudRate: 19200,
    reconnect: { initialDelayMs: 200, maxDelayMs: 5000 },
    logger: log,
  });
  try {
    await link.open();
  } catch {
    await link.close();
    return 'failed';
  }
  const monitor = new EmulatedVeDirectMonitor({
    link,
    clock: systemClock,
    battery: () => {
      const snapshot = chain.snapshot();
      return {
        currentA: snapshot.packCurrentA,
        voltageV: snapshot.modules.reduce((sum, module) => sum + module.moduleVoltageV, 0),
      };
    },
  });
  log.info({ event: 'smartshunt', path }, `emulated SmartShunt on ${path} (VE.Direct, 19200 baud)`);
  return { link, stop: () => monitor.stop() };
}

async function main(argv: readonly string[]): Promise<void> {
  let options: EmulatorAppOptions;
  let scenario: Scenario | undefined;
  let chain: EmulatedChain;
  try {
    const parsed = parseEmulatorOptions(argv);
    if (parsed === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return;
    }
    options = parsed;
    const chainOptions = chainOptionsFrom(options);
    if (options.scenarioPath) {
      let text: string;
      try {
        text = readFileSync(options.scenarioPath, 'utf8');
      } catch (error) {
        throw new OptionsError(
          'scenario',
          `cannot read ${options.scenarioPath}: ${(error as Error).message}`,
        );
      }
      scenario = loadScenario(text, options.scenarioPath, chainOptions);
    }
    chain = new EmulatedChain({ ...chainOptions, clock: systemClock });
  } catch (error) {
    return fail((error as Error).message, EXIT_BAD_INPUT);
  }

  const log = pino({ name: 'emulator' });
  const serial = new SerialByteLink({
    path: options.serialPath,
    baudRate: options.baudRate,
    // The host side may go away (pty peer restarted, adapter unplugged): keep trying.
    reconnect: { initialDelayMs: 200, maxDelayMs: 5000 },
    logger: log,
  });
  try {
    await serial.open();
  } catch (error) {
    await serial.close();
    return fail((error as Error).message, 1);
  }
  const bridge = bridgeLinks(serial, chain.link, (error) => log.warn(`write failed: ${error.message}`));
  const smartShunt =
    options.smartShuntPath === undefined ? null : await startSmartShunt(options.smartShuntPath, chain, log);
  if (smartShunt === 'failed') {
    await serial.close();
    return fail(`--smartshunt: cannot open ${options.smartShuntPath}`, 1);
  }

  const server =
    options.httpPort === undefined
      ? undefined
      : createControlApi(chain).listen(options.httpPort, options.httpHost);
  if (server) {
    await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  }
  const httpPort = server ? (server.address() as AddressInfo).port : undefined;
  const scenarioTimers = scenario ? playScenario(chain, scenario, systemClock, log) : [];

  log.info(
    {
      event: 'ready',
      serialPath: options.serialPath,
      baudRate: options.baudRate,
      modules: options.modules,
      httpPort,
    },
    `serving ${options.modules} emulated modules on ${options.serialPath} at ${options.baudRate} baud` +
      (httpPort === undefined ? '' : `; control API on http://${options.httpHost}:${httpPort}/api/state`) +
      (scenario
        ? `; playing scenario ${scenario.name ?? options.scenarioPath} (${scenario.steps.length} steps)`
        : ''),
  );

  const stop = async (signal: string) => {
    log.info({ event: 'stopping', signal }, `stopping on ${signal}`);
    scenarioTimers.forEach((timer) => timer.unsubscribe());
    smartShunt?.stop();
    bridge.unsubscribe();
    server?.closeAllConnections();
    await Promise.all([
      server && new Promise((resolve) => server.close(resolve)),
      serial.close(),
      smartShunt?.link.close(),
      chain.close(),
    ]);
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

void main(process.argv.slice(2)).catch((error: Error) => fail(error.stack ?? error.message, 1));
