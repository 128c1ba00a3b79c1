import type { FaultEvent, FaultLocation } from '@tsbms/fault-engine';
import type { BalancingState, ChargeLimits, ContactorSequenceStatus, HeatingStatus } from '@tsbms/control';
import type { Logger } from '@tsbms/hal';
import {
  distinctUntilChanged,
  map,
  merge,
  skip,
  startWith,
  take,
  tap,
  type Observable,
  type Subscription,
} from 'rxjs';
import type { BmsStatus } from './status';

/** "module 2 cell 3" / "module 1 sensor 2" / "pack": 1-based as printed on the modules. */
export function describeLocation(location: FaultLocation): string {
  const parts: string[] = [];
  if (location.moduleAddress !== undefined) parts.push(`module ${location.moduleAddress}`);
  if (location.cellIndex !== undefined) parts.push(`cell ${location.cellIndex + 1}`);
  if (location.sensorIndex !== undefined) parts.push(`sensor ${location.sensorIndex + 1}`);
  if (location.contactor !== undefined) parts.push(`contactor ${location.contactor}`);
  return parts.length > 0 ? parts.join(' ') : 'pack';
}

export function logFaultEvent(logger: Logger, event: FaultEvent): void {
  const fields = {
    event: 'fault',
    type: event.type,
    kind: event.kind,
    level: event.level,
    location: event.location,
    value: event.value,
    detail: event.detail,
    latched: event.latched,
    source: event.source,
  };
  const message = `${event.kind} ${event.level} ${event.type} at ${describeLocation(event.location)}`;
  if (event.type === 'raise' && event.level === 'fault') logger.error(fields, message);
  else if (event.type === 'raise' && event.level === 'warning') logger.warn(fields, message);
  else logger.info(fields, message);
}

export function logContactors(logger: Logger, status: ContactorSequenceStatus): void {
  const fields = {
    event: 'contactors',
    state: status.state,
    relays: status.relays,
    openReason: status.openReason,
    failedAttempts: status.failedAttempts,
    prechargeVerified: status.prechargeVerified,
  };
  const why = status.state === 'OPEN' || status.state === 'RETRY_WAIT' ? ` (${status.openReason})` : '';
  const unverified =
    status.state === 'OVERLAP' && status.prechargeVerified === false
      ? ' after a timed (unverified) precharge'
      : '';
  logger.info(fields, `contactors ${status.state}${why}${unverified}`);
}

/** The commanded cells as "module.cell" labels (1-based), for comparing and logging. */
export function balancedCellLabels(balancing: BalancingState): string[] {
  return balancing.strings.flatMap((s) =>
    s.modules.flatMap((m) => m.cells.flatMap((on, i) => (on ? [`${m.address}.${i + 1}`] : []))),
  );
}

export function logBalancing(logger: Logger, cells: readonly string[]): void {
  logger.info(
    { event: 'balancing', cells },
    cells.length > 0 ? `balancing cells ${cells.join(', ')} (module.cell)` : 'balancing off',
  );
}

export function logHeating(logger: Logger, heating: HeatingStatus): void {
  logger.info(
    { event: 'heater', on: heating.heaterOn, demand: heating.demand, blockedBy: heating.blockedBy },
    heating.heaterOn ? 'heater on' : heating.blockedBy ? `heater off (${heating.blockedBy})` : 'heater off',
  );
}

/** What holds the limits at 0, as a key that changes only when that changes (not on every ramp step). */
export function limitsBlockKey(limits: ChargeLimits): string {
  return `${limits.chargeZeroedBy.join(',')}|${limits.dischargeZeroedBy.join(',')}`;
}

export function logLimits(logger: Logger, limits: ChargeLimits): void {
  const side = (name: string, by: readonly string[]) =>
    by.length > 0 ? `${name} held at 0 by ${by.join(', ')}` : `${name} allowed`;
  logger.info(
    {
      event: 'limits',
      cvlV: limits.cvlV,
      cclA: limits.cclA,
      dclA: limits.dclA,
      chargeZeroedBy: limits.chargeZeroedBy,
      dischargeZeroedBy: limits.dischargeZeroedBy,
    },
    `limits: ${side('charge', limits.chargeZeroedBy)}; ${side('discharge', limits.dischargeZeroedBy)}`,
  );
}

/** The decisions {@link logDecisions} reports, as the core produces them. */
export interface DecisionStreams {
  /** Every contactor sequencer state. */
  readonly contactors$: Observable<ContactorSequenceStatus>;
  readonly limits$: Observable<ChargeLimits>;
  readonly balancing$: Observable<BalancingState>;
  readonly heating$: Observable<HeatingStatus>;
  /** The status after the first scan in which a module answered. */
  readonly firstScan$: Observable<{ readonly status: BmsStatus; readonly pollIntervalS: number }>;
}

/**
 * Logs what changed, not every step: each contactor state, the limits when what holds them at 0
 * changes, the balanced cells when they change, the heater when it switches or its blocker
 * changes, and once that scans run (with what the first one saw).
 */
export function logDecisions(logger: Logger, streams: DecisionStreams): Subscription {
  return merge(
    streams.contactors$.pipe(tap((status) => logContactors(logger, status))),
    streams.limits$.pipe(
      distinctUntilChanged((a, b) => limitsBlockKey(a) === limitsBlockKey(b)),
      tap((limits) => logLimits(logger, limits)),
    ),
    streams.balancing$.pipe(
      map(balancedCellLabels),
      startWith([] as string[]),
      distinctUntilChanged((a, b) => a.join() === b.join()),
      skip(1),
      tap((cells) => logBalancing(logger, cells)),
    ),
    streams.heating$.pipe(
      distinctUntilChanged((a, b) => a.heaterOn === b.heaterOn && a.blockedBy === b.blockedBy),
      tap((heating) => logHeating(logger, heating)),
    ),
    streams.firstScan$.pipe(
      take(1),
      tap(({ status, pollIntervalS }) => logFirstScan(logger, status, pollIntervalS)),
    ),
  ).subscribe();
}

/** Scans are not logged one by one; the first one says that they run, and what they see. */
function logFirstScan(logger: Logger, status: BmsStatus, pollIntervalS: number): void {
  const lowest = status.extremes.lowestCell?.voltageV ?? null;
  const highest = status.extremes.highestCell?.voltageV ?? null;
  const volts = (v: number | null, digits: number) => (v === null ? '?' : v.toFixed(digits));
  logger.info(
    {
      event: 'scan',
      modules: status.modules.length,
      packVoltageV: status.packVoltageV,
      socPercent: status.socPercent,
    },
    `scanning ${status.modules.length} modules every ${pollIntervalS} s: pack ${volts(status.packVoltageV, 2)} V, ` +
      `cells ${volts(lowest, 3)}–${volts(highest, 3)} V, SoC ${volts(status.socPercent, 1)} %`,
  );
}
