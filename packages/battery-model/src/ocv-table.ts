import { ConfigError, requireFinite } from './config-error';

/** One point of an open-circuit-voltage table: cell volts → SoC in % of nameplate. */
export interface OcvPoint {
  readonly voltageV: number;
  readonly socPercent: number;
}

/**
 * §6 default at 25 °C (menzok/TeslaBMS-ESP32, Panasonic NCA rest voltages, rounded to mV).
 */
export const DEFAULT_OCV_TABLE: readonly OcvPoint[] = Object.freeze(
  (
    [
      [3.036, 0],
      [3.12, 5],
      [3.254, 10],
      [3.367, 15],
      [3.451, 20],
      [3.552, 30],
      [3.66, 40],
      [3.756, 50],
      [3.841, 60],
      [3.939, 70],
      [4.046, 80],
      [4.101, 90],
      [4.123, 95],
      [4.18, 100],
    ] as const
  ).map(([voltageV, socPercent]) => Object.freeze({ voltageV, socPercent })),
);

/**
 * Validates a table: at least two points, voltages strictly increasing, SoC non-decreasing within 0..100.
 * A non-monotonic table would make the SoC jump backwards as a cell charges.
 */
export function validateOcvTable(path: string, table: readonly OcvPoint[]): readonly OcvPoint[] {
  // From plain JavaScript anything may come: a table that is not a list, or a null point, is
  // rejected here rather than crashed on.
  if (!Array.isArray(table) || table.length < 2) {
    const got = Array.isArray(table) ? `${table.length}` : table === null ? 'null' : typeof table;
    throw new ConfigError('CONFIG_OCV_NOT_MONOTONIC', path, `needs a list of at least 2 points, got ${got}`);
  }
  table.forEach((point: OcvPoint | null, i) => {
    const voltageV = requireFinite(`${path}[${i}].voltageV`, point?.voltageV);
    const soc = requireFinite(`${path}[${i}].socPercent`, point?.socPercent);
    if (soc < 0 || soc > 100) {
      throw new ConfigError(
        'CONFIG_OUT_OF_RANGE',
        `${path}[${i}].socPercent`,
        `must be within 0..100, got ${soc}`,
      );
    }
    if (i === 0) return;
    const prev = table[i - 1];
    if (!(voltageV > prev.voltageV)) {
      throw new ConfigError(
        'CONFIG_OCV_NOT_MONOTONIC',
        `${path}[${i}].voltageV`,
        `voltages must strictly increase (${prev.voltageV} V then ${voltageV} V)`,
      );
    }
    if (soc < prev.socPercent) {
      throw new ConfigError(
        'CONFIG_OCV_NOT_MONOTONIC',
        `${path}[${i}].socPercent`,
        `SoC must not decrease (${prev.socPercent} % then ${soc} %)`,
      );
    }
  });
  return Object.freeze(table.map((p) => Object.freeze({ voltageV: p.voltageV, socPercent: p.socPercent })));
}

/** Linear interpolation in a validated table; end values held outside it. */
export function ocvSocPercent(table: readonly OcvPoint[], cellVoltageV: number): number {
  const first = table[0];
  const last = table[table.length - 1];
  if (cellVoltageV <= first.voltageV) return first.socPercent;
  if (cellVoltageV >= last.voltageV) return last.socPercent;
  const upper = table.findIndex((p) => p.voltageV >= cellVoltageV);
  const a = table[upper - 1];
  const b = table[upper];
  return (
    a.socPercent + ((cellVoltageV - a.voltageV) / (b.voltageV - a.voltageV)) * (b.socPercent - a.socPercent)
  );
}

/**
 * B-30: SoC of the usable window between the low and high cell setpoints, in 0..100 %.
 */
export function windowSocPercent(
  table: readonly OcvPoint[],
  cellVoltageV: number,
  lowV: number,
  highV: number,
): number {
  const low = ocvSocPercent(table, lowV);
  const high = ocvSocPercent(table, highV);
  const soc = ((ocvSocPercent(table, cellVoltageV) - low) / (high - low)) * 100;
  return Math.min(100, Math.max(0, soc));
}
