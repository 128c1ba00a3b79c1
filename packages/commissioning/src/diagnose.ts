import { worse } from './finding';
import { lineQuality } from './line-rates';
import { moduleStats, type ModuleStats } from './module-stats';
import { EMPTY_LINK_COUNTERS, type DoctorObservations } from './observations';
import {
  DOCTOR_REPORT_SCHEMA_VERSION,
  type DoctorReport,
  type Finding,
  type ModuleSummary,
  type Severity,
} from './report-schema';
import { discoveryFindings } from './rules/discovery-rules';
import {
  conversionFindings,
  hardwareThresholdFindings,
  loopNoiseFindings,
  scanBroadcastFindings,
} from './rules/loop-rules';
import { moduleFindings } from './rules/module-rules';
import { canFindings, serialFindings } from './rules/port-rules';
import { relayFindings } from './rules/relay-rules';
import { DEFAULT_DOCTOR_SETTINGS, type DoctorSettings } from './settings';
import { plural } from './words';

/** The summary of a run in which nothing but ok findings came up. */
export const ALL_GOOD = 'all good';

/**
 * Turns what a run measured into findings in plain words, each naming its module, plus a summary
 * and the exit code (0 = no problem, warnings allowed; 1 = a problem). Pure: same observations,
 * same report.
 */
export function diagnose(
  observations: DoctorObservations,
  settings: DoctorSettings = DEFAULT_DOCTOR_SETTINGS,
): DoctorReport {
  const stats = observations.modules.map(moduleStats);
  const findings: Finding[] = [...serialFindings(observations.serial)];
  if (observations.discovery !== null) {
    findings.push(...discoveryFindings(observations.discovery));
    findings.push(...conversionFindings(observations));
    findings.push(...scanBroadcastFindings(observations, settings));
    const readingsValid = observations.conversions?.enabled === true;
    observations.modules.forEach((module, i) => {
      const othersWithErrors = stats.filter((s, j) => j !== i && s.failures > 0).map((s) => s.address);
      findings.push(
        ...moduleFindings({ module, stats: stats[i], othersWithErrors, readingsValid, settings }),
      );
    });
    findings.push(...loopNoiseFindings(stats, settings));
    findings.push(...hardwareThresholdFindings(observations.modules));
  }
  findings.push(...canFindings(observations.can));
  findings.push(...relayFindings(observations.relays));

  const counts = { ok: 0, warning: 0, problem: 0 };
  for (const f of findings) counts[f.severity]++;
  const discovery = observations.discovery;
  return {
    schemaVersion: DOCTOR_REPORT_SCHEMA_VERSION,
    observedAt: new Date(observations.observedAtMs).toISOString(),
    summary: summaryOf(findings, counts),
    exitCode: counts.problem > 0 ? 1 : 0,
    counts,
    serial: {
      path: observations.serial.path,
      baudRate: observations.serial.baudRate,
      opened: observations.serial.opened,
      checkedAtBaud: observations.serial.checkedAtBaud,
      framingErrors: observations.serial.framingErrors,
      rates: observations.serial.rateProbes.map((probe) => {
        const outcomes = [...probe.echoes, ...probe.reads];
        return {
          baudRate: probe.baudRate,
          quality: lineQuality(probe),
          transactions: outcomes.length,
          clean: outcomes.filter((o) => o === 'answered' || o === 'NO_SUCH_MODULE').length,
          framingErrors: probe.framingErrors,
        };
      }),
    },
    pack: {
      expectedModules: discovery?.expectedCount ?? 0,
      answering: [...(discovery?.addresses ?? [])],
      renumbered: discovery !== null && discovery.renumbering !== null,
      scansRequested: observations.scansRequested,
      scansCompleted:
        observations.modules.length === 0
          ? 0
          : observations.scansRequested - observations.scanBroadcastFailures,
    },
    findings,
    modules: moduleSummaries(observations, stats, findings),
    can:
      observations.can === null
        ? null
        : {
            iface: observations.can.iface,
            opened: observations.can.opened,
            bitRate: observations.can.bitRate,
            framesSeen: observations.can.framesSeen,
            inverterFramesSeen: observations.can.inverterFramesSeen,
            listenedMs: Math.round(observations.can.listenedMs),
          },
    relays:
      observations.relays === null
        ? null
        : {
            confirmedDisconnected: observations.relays.confirmedDisconnected,
            interrupted: observations.relays.interrupted,
            checks: observations.relays.checks.map((check) => {
              const own = observations.relays?.feedbackFitted.find((name) => name === check.relay);
              return {
                relay: check.relay,
                line: check.line,
                confirmed: check.confirmed,
                feedback:
                  own === undefined
                    ? null
                    : {
                        before: check.feedbackBefore[own] === true,
                        energised: check.feedbackEnergised[own] === true,
                        after: check.feedbackAfter[own] === true,
                      },
              };
            }),
          },
  };
}

function summaryOf(findings: readonly Finding[], counts: Readonly<Record<Severity, number>>): string {
  if (counts.problem === 0 && counts.warning === 0) return ALL_GOOD;
  const parts = [
    ...(counts.problem > 0 ? [plural(counts.problem, 'problem')] : []),
    ...(counts.warning > 0 ? [plural(counts.warning, 'warning')] : []),
  ];
  const titles = [
    ...findings.filter((f) => f.severity === 'problem'),
    ...findings.filter((f) => f.severity === 'warning'),
  ].map((f) => f.title);
  return `${parts.join(', ')}: ${titles.join('; ')}`;
}

function moduleSummaries(
  observations: DoctorObservations,
  stats: readonly ModuleStats[],
  findings: readonly Finding[],
): ModuleSummary[] {
  const expected = observations.discovery?.expectedCount ?? 0;
  const addresses = new Set<number>(observations.modules.map((m) => m.address));
  for (let a = 1; a <= expected; a++) addresses.add(a);
  for (const f of findings) if (f.module !== undefined) addresses.add(f.module);
  return [...addresses]
    .sort((a, b) => a - b)
    .map((address) => {
      const index = observations.modules.findIndex((m) => m.address === address);
      const module = observations.modules[index];
      const s = stats[index];
      const about = findings.filter((f) => f.module === address);
      const status =
        about.length === 0 ? 'not-checked' : about.map((f) => f.severity).reduce<Severity>(worse, 'ok');
      const registers = module?.configRegisters ?? null;
      return {
        address,
        status,
        scans: s?.asked ?? 0,
        readings: s?.readings ?? 0,
        link: { ...(s?.link ?? EMPTY_LINK_COUNTERS) },
        errorRate: s?.errorRate ?? 0,
        cellsV: [...(s?.cellsV ?? [])],
        thermistorsC: [...(s?.thermistorsC ?? [])],
        moduleVoltageV: s?.moduleVoltageV ?? null,
        cellSumV: s?.cellSumV ?? null,
        protectedRegisters:
          registers === null
            ? 'not-asked'
            : registers.answered
              ? 'answered'
              : findings.some((f) => f.id === 'protected-registers-unanswered' && f.module === address)
                ? 'unanswered'
                : 'unread',
        configRegisters: registers?.answered ? [...registers.registers] : null,
      };
    });
}
