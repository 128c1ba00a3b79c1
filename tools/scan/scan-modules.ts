import { systemClock, type ByteLink } from '@tsbms/hal';
import { SerialByteLink } from '@tsbms/hal-linux';
import { EmulatedChain } from '@tsbms/module-emulator';
import {
  cbTimeForPollInterval,
  discoverModules,
  hardwareThresholdsFromFaultLevels,
  ModuleCommands,
  PackScanner,
  TeslaBus,
} from '@tsbms/tesla-protocol';
import { parseScanOptions, SCAN_USAGE, type ScanToolOptions } from './scan-options';

const say = (line: string) => process.stderr.write(`${line}\n`);

/** The default fault levels of bms-behaviour.md §2.1, plus the T-18 hardware offsets. */
const DEFAULT_HARDWARE_THRESHOLDS = hardwareThresholdsFromFaultLevels({
  cellOverVoltageFaultV: 4.15,
  cellUnderVoltageFaultV: 3.55,
  overTemperatureFaultC: 65,
});

async function openLink(options: ScanToolOptions): Promise<{ link: ByteLink; source: string }> {
  if (options.serialPath === undefined) {
    say(`no --serial given: scanning an in-process emulated pack of ${options.modules} modules`);
    const chain = new EmulatedChain({ clock: systemClock, modules: options.modules, seed: 1 });
    return { link: chain.link, source: 'emulated' };
  }
  const link = new SerialByteLink({ path: options.serialPath, baudRate: options.baudRate });
  await link.open();
  say(`opened ${options.serialPath} at ${options.baudRate} baud`);
  return { link, source: options.serialPath };
}

async function main(argv: readonly string[]): Promise<number> {
  let options: ScanToolOptions;
  try {
    const parsed = parseScanOptions(argv);
    if (parsed === 'help') {
      process.stdout.write(`${SCAN_USAGE}\n`);
      return 0;
    }
    options = parsed;
  } catch (error) {
    say(`scan: ${(error as Error).message}`);
    return 2;
  }

  const { link, source } = await openLink(options);
  try {
    const bus = new TeslaBus(link, {
      clock: systemClock,
      replyTimeoutMs: options.replyTimeoutMs,
      readWithCrc: options.readWithCrc,
    });
    const discovery = await discoverModules(bus, { clock: systemClock, expectedCount: options.modules });
    say(
      `discovery: ${discovery.addresses.length} of ${options.modules} modules at [${discovery.addresses.join(', ')}]` +
        (discovery.renumbered ? ' (addresses assigned)' : ' (already addressed)') +
        (discovery.error ? `; stopped by ${discovery.error.message}` : ''),
    );
    if (discovery.addresses.length === 0) {
      say('scan: no module answered; check power to the boards, the TX/RX loop and the baud rate');
      return 1;
    }
    // Module setup as the BMS does it (T-17): clears POR/AR and latched bits, programs the chips'
    // own protection at the default fault levels (volatile shadow registers), enables the ADC.
    await new ModuleCommands(bus).setupPack(
      discovery.addresses,
      DEFAULT_HARDWARE_THRESHOLDS,
      cbTimeForPollInterval(0.5),
    );
    say('setup: latched bits cleared, hardware COV 4.20 V / CUV 3.50 V / OT 70 °C written and verified');
    const scanner = new PackScanner(bus, { clock: systemClock });
    const reading = await scanner.scanPack(discovery.addresses);
    process.stdout.write(`${JSON.stringify({ source, discovery, reading, busStats: bus.stats }, null, 2)}\n`);
    const failed = reading.modules.filter((m) => !m.commsOk).map((m) => m.address);
    if (failed.length > 0) say(`scan: no valid reading from module(s) ${failed.join(', ')}`);
    return discovery.addresses.length === options.modules && failed.length === 0 ? 0 : 1;
  } finally {
    await link.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    say(`scan: ${error.message}`);
    process.exit(1);
  },
);
