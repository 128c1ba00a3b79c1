/*
 * Text for numbers, places and times on the dashboard. Pure: no DOM, so Jest tests it as it is.
 * Numbers the controller does not know (null) show as a dash, never as 0.
 */

export const UNKNOWN = '—';

const pad2 = (n) => String(n).padStart(2, '0');

/** `3.912 V`; a dash for null, undefined, NaN or ±Infinity. */
export function formatNumber(value, digits, unit = '') {
  if (typeof value !== 'number' || !Number.isFinite(value)) return UNKNOWN;
  const text = value.toFixed(digits);
  return unit === '' ? text : `${text} ${unit}`;
}

/** `-587 W` below 1 kW, `2.35 kW` from there on; a dash when unknown. */
export function formatPower(watts) {
  if (typeof watts !== 'number' || Math.abs(watts) < 1000) return formatNumber(watts, 0, 'W');
  return formatNumber(watts / 1000, 2, 'kW');
}

/** Watt-hours as `1234.57 kWh`; a dash when unknown. */
export function formatKilowattHours(wattHours) {
  return formatNumber(typeof wattHours === 'number' ? wattHours / 1000 : null, 2, 'kWh');
}

/** Seconds as `h:mm` to the nearest minute (`2:05`, `26:00`); a dash when unknown or negative. */
export function formatHoursMinutes(seconds) {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return UNKNOWN;
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)}:${pad2(minutes % 60)}`;
}

/** The status's time to go: `2:05 to empty` while discharging, `0:40 to full` while charging. */
export function formatTimeToGo(timeToGo) {
  if (typeof timeToGo?.toEmptyS === 'number') return `${formatHoursMinutes(timeToGo.toEmptyS)} to empty`;
  if (typeof timeToGo?.toFullS === 'number') return `${formatHoursMinutes(timeToGo.toFullS)} to full`;
  return UNKNOWN;
}

/**
 * "module 2 cell 3" / "module 1 sensor 2" / "pack": 1-based as printed on the modules, the same
 * words as the controller's log (runtime/state-change-log.ts describeLocation).
 */
export function formatLocation(location) {
  const parts = [];
  if (location?.moduleAddress !== undefined) parts.push(`module ${location.moduleAddress}`);
  if (location?.cellIndex !== undefined) parts.push(`cell ${location.cellIndex + 1}`);
  if (location?.sensorIndex !== undefined) parts.push(`sensor ${location.sensorIndex + 1}`);
  if (location?.contactor !== undefined) parts.push(`contactor ${location.contactor}`);
  return parts.length > 0 ? parts.join(' ') : 'pack';
}

/** A duration for people: `42 s`, `5 min 3 s`, `2 h 7 min`, `3 d 4 h`. Negative counts as 0. */
export function formatAge(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return UNKNOWN;
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min ${s % 60} s`;
  const h = Math.floor(min / 60);
  if (h < 24) return `${h} h ${min % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** Local wall-clock time of a timestamp, `HH:MM:SS`. */
export function formatClockTime(timestampMs) {
  if (typeof timestampMs !== 'number' || !Number.isFinite(timestampMs)) return UNKNOWN;
  const d = new Date(timestampMs);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** `5 Dec 14:03`: a day and a time of day, in the browser's zone. */
export function formatDateTime(timestampMs) {
  if (typeof timestampMs !== 'number' || !Number.isFinite(timestampMs)) return UNKNOWN;
  const d = new Date(timestampMs);
  const month = d.toLocaleString('en-GB', { month: 'short' });
  return `${d.getDate()} ${month} ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** `cellOverVoltage` → `cell over voltage`. */
export function humanizeKind(kind) {
  return String(kind)
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase();
}

const UNIT_BY_KIND = {
  cellOverVoltage: 'V',
  cellUnderVoltage: 'V',
  cellImbalance: 'V',
  overTemperature: '°C',
  underTemperature: '°C',
  chargeOverCurrent: 'A',
  dischargeOverCurrent: 'A',
};

/** A fault's evaluated value with the unit of its kind (volts, °C, amperes; plain otherwise). */
export function formatFaultValue(kind, value) {
  const unit = UNIT_BY_KIND[kind] ?? '';
  return formatNumber(value, unit === 'V' ? 3 : 1, unit);
}
