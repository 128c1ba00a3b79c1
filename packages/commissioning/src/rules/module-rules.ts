import { CHIP_FLAG_MEANINGS, type ModuleHardwareFlag } from '@tsbms/pack-reading';
import { finding } from '../finding';
import type { ModuleStats } from '../module-stats';
import type { ModuleObservation } from '../observations';
import type { Finding } from '../report-schema';
import type { DoctorSettings } from '../settings';
import { celsius, median, percent, plural, volts } from '../words';

/*
 * One module's findings: its link (T-5 counters over the scans), its readings (thermistors, cells,
 * the module voltage against the cell sum), the flags its board latched, and whether its protected
 * configuration registers answer (T-18). A module with nothing to say gets one ok finding.
 */

export interface ModuleContext {
  readonly module: ModuleObservation;
  readonly stats: ModuleStats;
  /** Other scanned modules with transmission errors. */
  readonly othersWithErrors: readonly number[];
  /** Whether the readings can be judged (the conversions were switched on). */
  readonly readingsValid: boolean;
  readonly settings: DoctorSettings;
}

export function moduleFindings(context: ModuleContext): Finding[] {
  const findings = [
    ...linkFindings(context),
    ...(context.readingsValid ? readingFindings(context) : []),
    ...chipFlagFindings(context),
    ...protectedRegisterFindings(context),
  ];
  if (findings.length > 0 || context.stats.asked === 0) return findings;
  return [moduleOk(context)];
}

function linkFindings({ stats, othersWithErrors, settings }: ModuleContext): Finding[] {
  const a = stats.address;
  const findings: Finding[] = [];
  const readNote = `It gave a valid reading in ${stats.readings} of ${plural(stats.asked, 'scan')}.`;
  if (stats.failures > 0) {
    const { link, transactions } = stats;
    const severity =
      stats.errorRate >= settings.linkErrorProblemRate || stats.readings < stats.asked
        ? 'problem'
        : 'warning';
    const damagedMostly = stats.damaged >= stats.lost;
    const title = damagedMostly
      ? link.crcErrors >= link.badFrames + link.echoMismatches
        ? `module ${a}: ${link.crcErrors} of ${transactions} replies had CRC errors`
        : `module ${a}: ${link.badFrames + link.echoMismatches} of ${transactions} replies were garbled`
      : `module ${a}: ${stats.lost} of ${transactions} requests got no reply`;
    const counts =
      `Over the scans: ${link.framesOk} good replies, ${link.crcErrors} CRC errors, ` +
      `${link.badFrames + link.echoMismatches} garbled, ${link.timeouts} without any reply, ` +
      `${link.noSuchModule} came back unchanged (${percent(stats.errorRate)} failed; ` +
      `${plural(link.retries, 'retry', 'retries')}).`;
    let where: string;
    let fix: string;
    if (othersWithErrors.length === 0) {
      where = damagedMostly
        ? `Only module ${a}'s own replies are damaged. The replies of the modules before it pass ` +
          `through module ${a} and over the same cables after it and arrive intact, so the damage ` +
          `happens where module ${a} makes its replies: on its board (its microcontroller, its supply ` +
          'or ground connection, its clock).'
        : `Only module ${a} misses requests. The requests to the modules after it cross the same ` +
          `cables and arrive, so module ${a} itself drops them: its board hangs now and then, answers ` +
          'too late, or its supply dips.';
      fix =
        `Reseat module ${a}'s connectors (loop in, loop out, the cell sense harness) and check its ` +
        "supply. If the errors stay, swap its board with a neighbour's: if they follow the board, " +
        'replace it.';
    } else {
      where = `Other modules show errors too (${othersWithErrors.join(', ')}): see the loop-noise finding.`;
      fix = 'See the loop-noise finding: errors on several modules point to what they share.';
    }
    findings.push(
      finding('link-errors', severity, { title, detail: `${counts} ${where} ${readNote}`, fix }, a),
    );
  }
  if (stats.notReady > 0) {
    findings.push(
      finding(
        'no-reading',
        'problem',
        {
          title: `module ${a}: its conversion was not ready in ${stats.notReady} of ${plural(stats.asked, 'scan')}`,
          detail:
            `Module ${a} answered, but DEVICE_STATUS said its conversion had not finished (DRDY clear), ` +
            'so the values were not used (T-20). ' +
            readNote,
          fix: `Power module ${a}'s board off and on; if it stays so, replace the board.`,
        },
        a,
      ),
    );
  }
  return findings;
}

function readingFindings({ stats, settings }: ModuleContext): Finding[] {
  const a = stats.address;
  const findings: Finding[] = [];
  stats.thermistorsC.forEach((t, i) => {
    if (t === null) return;
    const n = i + 1;
    if (t < settings.thermistorOpenBelowC) {
      findings.push(
        finding(
          'thermistor-open',
          'problem',
          {
            title: `module ${a}, thermistor ${n} reads ${celsius(t)}: open (unplugged or broken wire)`,
            detail:
              `A reading below ${celsius(settings.thermistorOpenBelowC, 0)} is not a temperature: the ` +
              `thermistor circuit TS${n} is open. The BMS rejects the value (T-13) and raises a sensor ` +
              'fault, so this module has no temperature there.',
            fix:
              `Check the plug of thermistor ${n} on module ${a}'s board and its wires. Unplugged, the ` +
              'thermistor should measure about 10 kΩ at 25 °C; replace it if it reads open.',
          },
          a,
        ),
      );
    } else if (t > settings.thermistorShortedAboveC) {
      findings.push(
        finding(
          'thermistor-shorted',
          'problem',
          {
            title: `module ${a}, thermistor ${n} reads ${celsius(t)}: shorted`,
            detail:
              `A reading above ${celsius(settings.thermistorShortedAboveC, 0)} is not a temperature: the ` +
              `thermistor circuit TS${n} is shorted. The BMS rejects the value (T-13), and the board's ` +
              'own over-temperature alert trips.',
            fix:
              `Check thermistor ${n} of module ${a} and its wires for a short (a pinched wire, contact ` +
              'with a cell tab). Unplugged, it should measure about 10 kΩ at 25 °C.',
          },
          a,
        ),
      );
    }
  });
  const outOfRange = new Set<number>();
  stats.cellsV.forEach((v, i) => {
    if (v === null || (v >= settings.cellMinV && v <= settings.cellMaxV)) return;
    outOfRange.add(i);
    findings.push(
      finding(
        'cell-out-of-range',
        'problem',
        {
          title: `module ${a}, cell ${i + 1} reads ${volts(v)}: outside ${settings.cellMinV}–${settings.cellMaxV} V`,
          detail:
            'No lithium-ion cell group reads this: its sense wire is off or broken (or the group is ' +
            'completely dead). The BMS rejects the value (T-13).',
          fix: `Check the sense harness between module ${a} and its board, then measure the group with a meter.`,
        },
        a,
      ),
    );
  });
  stats.cellsV.forEach((v, i) => {
    if (v === null || outOfRange.has(i)) return;
    const neighbours = stats.cellsV.filter(
      (other, j): other is number => j !== i && other !== null && !outOfRange.has(j),
    );
    const reference = median(neighbours);
    if (neighbours.length < 2 || reference === null) return;
    const difference = v - reference;
    if (Math.abs(difference) <= settings.cellDeviationV) return;
    findings.push(
      finding(
        'cell-deviates',
        'problem',
        {
          title:
            `module ${a}, cell ${i + 1} reads ${volts(v)}, ${volts(Math.abs(difference))} ` +
            `${difference < 0 ? 'below' : 'above'} the other cells of its module (${volts(reference)})`,
          detail:
            `More than ${volts(settings.cellDeviationV)} from its neighbours: the group really is that ` +
            'far off (a weak or self-discharging group, a blown cell fuse) or it is measured wrong (a ' +
            'loose sense wire).',
          fix:
            `Measure cell ${i + 1} of module ${a} with a meter at the sense connector. If the meter ` +
            'agrees, charge or balance that group before use (or replace the module); if not, repair ' +
            'the sense wire.',
        },
        a,
      ),
    );
  });
  if (stats.moduleVoltageV !== null && stats.cellSumV !== null) {
    const difference = Math.abs(stats.moduleVoltageV - stats.cellSumV);
    if (difference > settings.moduleVoltageMismatchV) {
      findings.push(
        finding(
          'module-voltage-mismatch',
          'problem',
          {
            title:
              `module ${a}: the module voltage reads ${volts(stats.moduleVoltageV)}, its cells add up ` +
              `to ${volts(stats.cellSumV)}: a broken sense wire`,
            detail:
              'The board measures the whole module (GPAI, VBAT) apart from its six cells. They disagree ' +
              `by ${volts(difference)} (more than ${volts(settings.moduleVoltageMismatchV)}): a sense ` +
              "wire is broken or loose, or the board's connection to the module's + or − terminal is off.",
            fix:
              `Check the seven sense wires between module ${a} and its board, and the board's ` +
              "connection to the module's terminals; measure the module with a meter to see which " +
              'reading is true.',
          },
          a,
        ),
      );
    }
  }
  return findings;
}

const FLAG_WORDS: Readonly<Record<ModuleHardwareFlag, string>> = {
  COV: 'cell over-voltage',
  CUV: 'cell under-voltage',
  OT1: 'over-temperature at thermistor 1',
  OT2: 'over-temperature at thermistor 2',
  TSD: 'thermal shutdown of the chip',
  I_FAULT: "the chip's internal self-check failed",
  UVLO: 'supply under-voltage lockout',
  PARITY: 'configuration parity error',
  ECC_ERR: 'OTP memory error',
  CRC: 'the board received a damaged frame',
  POR: 'power-on reset',
  AR: 'address not registered',
  FORCE: 'forced test bit',
  SLEEP: 'asleep',
};

function chipFlagFindings({ module, stats }: ModuleContext): Finding[] {
  const seen = new Set<ModuleHardwareFlag>();
  for (const scan of module.scans) for (const flag of scan.chipFlags) seen.add(flag);
  const flags = [...seen].filter((flag) => ['fault', 'warning'].includes(CHIP_FLAG_MEANINGS[flag]));
  if (flags.length === 0) return [];
  const a = stats.address;
  return [
    finding(
      'chip-flags',
      'warning',
      {
        title: `module ${a} reports ${flags.map((flag) => `${flag} (${FLAG_WORDS[flag]})`).join(', ')}`,
        detail:
          'These status bits are latched by the board and stay set until someone clears them; the ' +
          'doctor never clears anything, so they may be old. The controller clears them at setup ' +
          '(T-25), and they return only while their cause remains.',
        fix:
          'Look at the cells and temperatures the flags name. A CRC flag means requests to this board ' +
          'arrive damaged: check the cable into it.',
      },
      a,
    ),
  ];
}

function protectedRegisterFindings({ module, stats, settings }: ModuleContext): Finding[] {
  const registers = module.configRegisters;
  if (registers === null || registers.answered) return [];
  const a = stats.address;
  const unanswered =
    (registers.failure === 'TIMEOUT' || registers.failure === 'NO_SUCH_MODULE') && stats.readings > 0;
  if (!unanswered) {
    return [
      finding(
        'protected-registers-unread',
        'warning',
        {
          title: `module ${a}: its protected configuration registers could not be read (${registers.failure})`,
          detail: `The read of 0x40–0x47 failed: ${registers.detail}.`,
          fix: `See module ${a}'s link findings; run the doctor again once they are fixed.`,
        },
        a,
      ),
    ];
  }
  const detail =
    `Module ${a} answers its readings but not a read of its protected configuration registers ` +
    `(0x40–0x47: ${registers.detail}). Boards like this implement the registers only up to RESET ` +
    "(0x3C): they scan and balance, but their hardware thresholds (the chip's own over-voltage, " +
    'under-voltage and over-temperature trips) cannot be programmed (T-18).';
  if (!settings.programHardwareThresholds) {
    return [
      finding(
        'protected-registers-unanswered',
        'warning',
        {
          title: `module ${a} does not answer its protected configuration registers (programHardwareThresholds is already false)`,
          detail: `${detail} With programHardwareThresholds: false the controller runs on them; only its software limits protect the cells.`,
          fix: 'Nothing to change for the controller to run; replace the board to get the hardware trips back.',
        },
        a,
      ),
    ];
  }
  return [
    finding(
      'protected-registers-unanswered',
      'problem',
      {
        title: `module ${a} does not answer its protected configuration registers: set programHardwareThresholds: false`,
        detail: `${detail} With the default programHardwareThresholds: true the controller's setup stops here (PROTECTED_REGISTERS_UNANSWERED).`,
        fix:
          'Set programHardwareThresholds: false in the config: the controller then runs on these boards ' +
          'with its software limits only. Or replace the board with one that has the registers.',
      },
      a,
    ),
  ];
}

function moduleOk({ stats, readingsValid }: ModuleContext): Finding {
  const a = stats.address;
  const cells = stats.cellsV.filter((v): v is number => v !== null);
  const parts: string[] = [];
  if (readingsValid && cells.length > 0) {
    parts.push(`cells ${volts(Math.min(...cells), 3)}–${volts(Math.max(...cells), 3)}`);
    const temperatures = stats.thermistorsC.filter((t): t is number => t !== null);
    if (temperatures.length > 0)
      parts.push(`thermistors ${temperatures.map((t) => celsius(t)).join(' and ')}`);
    if (stats.moduleVoltageV !== null && stats.cellSumV !== null)
      parts.push(`module ${volts(stats.moduleVoltageV)} (cells add up to ${volts(stats.cellSumV)})`);
  }
  return finding(
    'module-ok',
    'ok',
    {
      title: `module ${a}: ok, ${stats.readings} of ${plural(stats.asked, 'reading')}${parts.length > 0 ? `; ${parts.join('; ')}` : ''}`,
      detail: `${stats.link.framesOk} good replies, no transmission error.`,
    },
    a,
  );
}
