import { finding } from '../finding';
import type { ModuleStats } from '../module-stats';
import type { DoctorObservations, ModuleObservation } from '../observations';
import type { Finding } from '../report-schema';
import type { DoctorSettings } from '../settings';
import { celsius, listOf, modulesWord, percent, plural, volts } from '../words';

/*
 * Findings about the loop as a whole: the broadcasts every reading needs, errors shared by several
 * modules (and which cable they point to), and the hardware thresholds the boards hold.
 */

export function conversionFindings(observations: DoctorObservations): Finding[] {
  const conversions = observations.conversions;
  if (conversions === null || conversions.enabled) return [];
  return [
    finding('conversions-failed', 'problem', {
      title: 'the broadcasts that switch on the conversions did not come back',
      detail:
        `ADC_CONTROL and IO_CONTROL are broadcast before a reading (T-29); their echo failed: ` +
        `${conversions.error ?? 'unknown error'}. Without them only cell 1 is converted and the ` +
        'thermistors are not biased, so the readings are not judged.',
      fix: 'A broadcast crosses the whole loop: see the link findings, then run the doctor again.',
    }),
  ];
}

export function scanBroadcastFindings(observations: DoctorObservations, settings: DoctorSettings): Finding[] {
  const failed = observations.scanBroadcastFailures;
  if (failed === 0) return [];
  const share = failed / Math.max(1, observations.scansRequested);
  return [
    finding('scan-broadcast-failed', share >= settings.linkErrorProblemRate ? 'problem' : 'warning', {
      title: `the convert broadcast did not come back in ${failed} of ${plural(observations.scansRequested, 'scan')}`,
      detail:
        'Each scan starts with one broadcast that every module forwards (T-19); when its echo fails, ' +
        'no module is read in that scan. A broadcast crosses every cable of the loop.',
      fix: 'Look for the loop-noise and link findings; check the cables and the adapter.',
    }),
  ];
}

type ErrorKind = 'clean' | 'damaged' | 'lost' | 'mixed';

function kindOf(stats: ModuleStats): ErrorKind {
  if (stats.failures === 0) return 'clean';
  if (stats.lost === 0) return 'damaged';
  if (stats.damaged === 0) return 'lost';
  return 'mixed';
}

/**
 * Which cable a pattern of errors points to, if one does. Cable i runs from the module at place i to
 * the one at place i + 1 (0 = from the host, N = back to the host). A request to module k crosses
 * cables 0..k−1 (a damaged request is dropped by the board: no reply); its reply crosses cables
 * k..N (a damaged reply fails its CRC). So noise on cable i damages the replies of modules 1..i and
 * loses the requests to modules i+1..N. Returns the range of cables consistent with the errors.
 */
export function locateNoisyCable(stats: readonly ModuleStats[]): { first: number; last: number } | null {
  const kinds = stats.map(kindOf);
  if (kinds.includes('mixed') || kinds.every((k) => k === 'clean')) return null;
  const lastDamaged = kinds.lastIndexOf('damaged');
  const firstLost = kinds.indexOf('lost');
  if (firstLost !== -1 && lastDamaged > firstLost) return null;
  // Cable c (0..N) lies after place c. Damaged at index d (place d + 1) needs c ≥ d + 1; lost at
  // index l (place l + 1) needs c ≤ l.
  const first = lastDamaged === -1 ? 0 : lastDamaged + 1;
  const last = firstLost === -1 ? stats.length : firstLost;
  return first <= last ? { first, last } : null;
}

function cableName(cable: number, modules: readonly number[]): string {
  if (cable === 0) return `the cable from the host (the adapter's TX) to module ${modules[0]}`;
  if (cable === modules.length)
    return `the cable from module ${modules[modules.length - 1]} back to the host (the adapter's RX)`;
  return `the cable between module ${modules[cable - 1]} and module ${modules[cable]}`;
}

export function loopNoiseFindings(stats: readonly ModuleStats[], settings: DoctorSettings): Finding[] {
  const withErrors = stats.filter((s) => s.failures > 0);
  if (withErrors.length < 2) return [];
  const addresses = stats.map((s) => s.address);
  const severity = withErrors.some((s) => s.errorRate >= settings.linkErrorProblemRate)
    ? 'problem'
    : 'warning';
  const rates = withErrors.map((s) => `module ${s.address} ${percent(s.errorRate)}`);
  const cable = locateNoisyCable(stats);
  const where =
    cable === null
      ? 'The errors do not follow the pattern of one cable, so suspect what all transactions share: ' +
        'the USB adapter, the ground between host and loop, or a baud rate the boards only just ' +
        'accept.'
      : cable.first === cable.last
        ? `The pattern points to ${cableName(cable.first, addresses)}: a request crosses the cables ` +
          'before its module (damaged, it gets no reply), a reply the cables after it (damaged, it ' +
          'fails its CRC).'
        : `The pattern points to one of the cables from ${cableName(cable.first, addresses)} to ` +
          `${cableName(cable.last, addresses)}: a request crosses the cables before its module ` +
          '(damaged, it gets no reply), a reply the cables after it (damaged, it fails its CRC).';
  return [
    finding('loop-noise', severity, {
      title: `transmission errors on ${modulesWord(withErrors.map((s) => s.address))}`,
      detail: `Failed transactions: ${listOf(rates)}. ${where}`,
      fix:
        (cable === null
          ? 'Check the adapter and its ground, try --baud 617647 (T-1)'
          : 'Reseat and inspect that cable and its connectors') +
        ', and keep the serial wiring away from the power cables and the inverter.',
    }),
  ];
}

/** One ok finding for the boards that answered 0x40..0x47, grouped by what they hold. */
export function hardwareThresholdFindings(modules: readonly ModuleObservation[]): Finding[] {
  const groups = new Map<string, number[]>();
  for (const module of modules) {
    const registers = module.configRegisters;
    if (registers === null || !registers.answered) continue;
    const { overVoltageV, underVoltageV, overTemperatureC } = registers.thresholds;
    const text = [
      `COV ${overVoltageV === null ? 'off' : volts(overVoltageV)}`,
      `CUV ${underVoltageV === null ? 'off' : volts(underVoltageV)}`,
      `OT ${overTemperatureC.map((t) => (t === null ? 'off' : celsius(t, 0))).join(' / ')}`,
    ].join(', ');
    groups.set(text, [...(groups.get(text) ?? []), module.address]);
  }
  if (groups.size === 0) return [];
  const held = [...groups].map(([text, addresses]) => `${modulesWord(addresses)}: ${text}`);
  const all = [...groups.values()].flat();
  return [
    finding('hardware-thresholds', 'ok', {
      title: `protected configuration registers answer on ${modulesWord(all)}`,
      detail:
        `The hardware thresholds the boards hold now: ${held.join('; ')}. After a power-up they are ` +
        `the board's factory values (Tesla: COV 4.45 V, CUV 1.50 V, OT 65 °C); the controller writes ` +
        'its own at setup unless programHardwareThresholds is false (T-18). The doctor writes none.',
    }),
  ];
}
