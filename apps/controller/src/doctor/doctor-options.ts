import { LINE_RATE_CANDIDATES } from '@tsbms/commissioning';
import { BAUD_RATE_RANGE, MODULE_COUNT_RANGE } from '../config';
import { canInterfaceName, CliUsageError, parseOptions, wholeNumber } from '../cli/cli-options';

export const SCANS_RANGE = { min: 1, max: 1000 } as const;
export const DEFAULT_SCANS = 20;

export const DOCTOR_USAGE = `Usage: npm run doctor -- --serial PATH [options]

Checks a Tesla Model S module pack before it is put to use and names each problem and its module
in plain words. First it opens the port at the rate asked and at the rates adapters round the
boards' rate to (${LINE_RATE_CANDIDATES.join(', ')}), trying a few reads at each: of module 1, and of
an address no board has, which a closed loop returns unchanged; the port's framing errors are
counted where it reports them. When the rate asked is not clean and another is, the checks run at
that one and the report says what to set. Then it discovers the boards without renumbering them, scans them N times counting every
failed transaction per module, looks at every cell, thermistor and module voltage, and reads back
the boards' protected configuration registers. Read-only: it writes only the broadcasts a reading
needs (ADC_CONTROL, IO_CONTROL, ADC_CONVERT; T-29): no thresholds, no balancing, no clearing of
latched bits, no addresses unless --fix-addresses, and no relay unless --relays. Stop the controller first: one port, one user.

Options:
  --serial PATH      serial device or pty of the module loop, e.g. /dev/ttyUSB0 (serial.path)
  --baud N           line rate, ${BAUD_RATE_RANGE.min}..${BAUD_RATE_RANGE.max} (default 612500; 617647 suits some board revisions)
  --modules N        modules expected, ${MODULE_COUNT_RANGE.min}..${MODULE_COUNT_RANGE.max} (pack.moduleCount)
  --scans N          scans to run, ${SCANS_RANGE.min}..${SCANS_RANGE.max} (default ${DEFAULT_SCANS})
  --config FILE      the controller's configuration file: serial, pack, programHardwareThresholds
                     and the inverter's bit rate are taken from it
  --fix-addresses    when a board has lost its address, renumber the loop (resets every board);
                     without it the doctor only reports "renumbering needed"
  --can IFACE        also check the inverter's CAN interface: up, its bit rate, and whether the
                     inverter's frames (0x305) arrive within 3 s; sends nothing
  --relays           also switch each relay of the config's gpio section on for 1 s and off, one at
                     a time, asking whether it clicked, and read the contactors' feedback inputs;
                     only at a terminal, and only after you type that the battery is disconnected
  --json             print only the report, as JSON
                     (schema: packages/commissioning/doctor-report.schema.json)
  --help             show this text

On a terminal it shows its progress on stderr, then a heat map of the transmission errors per
module and scan, and the findings. Exit codes: 0 no problem found (warnings allowed), 1 a problem
found or the link failed during the checks, 2 bad options or configuration.`;

export interface DoctorCliOptions {
  readonly serialPath?: string;
  readonly baudRate?: number;
  readonly moduleCount?: number;
  readonly scans: number;
  readonly configFile?: string;
  readonly fixAddresses: boolean;
  readonly canInterface?: string;
  readonly relays: boolean;
  readonly json: boolean;
}

/** Parses the doctor's command line: 'help' for --help; throws {@link CliUsageError}. */
export function parseDoctorArgs(argv: readonly string[]): DoctorCliOptions | 'help' {
  const values = parseOptions(argv, {
    serial: { type: 'string' },
    baud: { type: 'string' },
    modules: { type: 'string' },
    scans: { type: 'string' },
    config: { type: 'string' },
    'fix-addresses': { type: 'boolean', default: false },
    can: { type: 'string' },
    relays: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  });
  if (values.help) return 'help';
  if (values.serial === '') throw new CliUsageError('--serial needs a device path');
  if (values.config === '') throw new CliUsageError('--config needs a file path');
  return {
    serialPath: values.serial,
    baudRate: wholeNumber('baud', values.baud, BAUD_RATE_RANGE.min, BAUD_RATE_RANGE.max),
    moduleCount: wholeNumber('modules', values.modules, MODULE_COUNT_RANGE.min, MODULE_COUNT_RANGE.max),
    scans: wholeNumber('scans', values.scans, SCANS_RANGE.min, SCANS_RANGE.max) ?? DEFAULT_SCANS,
    configFile: values.config,
    fixAddresses: values['fix-addresses'],
    canInterface: canInterfaceName(values.can),
    relays: values.relays,
    json: values.json,
  };
}
