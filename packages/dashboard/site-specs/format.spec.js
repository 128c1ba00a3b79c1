import {
  formatAge,
  formatClockTime,
  formatFaultValue,
  formatHoursMinutes,
  formatKilowattHours,
  formatLocation,
  formatNumber,
  formatPower,
  formatTimeToGo,
  humanizeKind,
  UNKNOWN,
} from '../site/format.js';

describe('formatNumber', () => {
  it('rounds to the digits and appends the unit', () => {
    expect(formatNumber(3.91249, 3, 'V')).toBe('3.912 V');
    expect(formatNumber(-12.35, 1, 'A')).toBe('-12.3 A');
    expect(formatNumber(0, 0)).toBe('0');
  });

  it('shows a dash, never 0, for what is not known', () => {
    for (const value of [null, undefined, Number.NaN, Number.POSITIVE_INFINITY, '4.1']) {
      expect(formatNumber(value, 2, 'V')).toBe(UNKNOWN);
    }
  });
});

describe('pack power and energy', () => {
  it.each([
    [-587.25, '-587 W'],
    [999, '999 W'],
    [1000, '1.00 kW'],
    [-2345.6, '-2.35 kW'],
    [0, '0 W'],
  ])('%p W → %s', (watts, text) => {
    expect(formatPower(watts)).toBe(text);
  });

  it('shows lifetime watt-hours in kWh', () => {
    expect(formatKilowattHours(1_234_567)).toBe('1234.57 kWh');
    expect(formatKilowattHours(0)).toBe('0.00 kWh');
  });

  it('is a dash for an unknown power or energy (no current sensor, before the first scan)', () => {
    expect(formatPower(null)).toBe(UNKNOWN);
    expect(formatKilowattHours(undefined)).toBe(UNKNOWN);
  });
});

describe('time to go', () => {
  it.each([
    [0, '0:00'],
    [29, '0:00'],
    [30, '0:01'],
    [7500, '2:05'],
    [26 * 3600, '26:00'],
    [3 * 3600 + 59 * 60 + 45, '4:00'],
  ])('%d s → %s', (seconds, text) => {
    expect(formatHoursMinutes(seconds)).toBe(text);
  });

  it('says which way: to empty while discharging, to full while charging', () => {
    expect(formatTimeToGo({ toEmptyS: 7500, toFullS: null })).toBe('2:05 to empty');
    expect(formatTimeToGo({ toEmptyS: null, toFullS: 2400 })).toBe('0:40 to full');
  });

  it('is a dash at rest, without a current sensor, or for a time that cannot be', () => {
    expect(formatTimeToGo({ toEmptyS: null, toFullS: null })).toBe(UNKNOWN);
    expect(formatTimeToGo(undefined)).toBe(UNKNOWN);
    expect(formatHoursMinutes(null)).toBe(UNKNOWN);
    expect(formatHoursMinutes(-60)).toBe(UNKNOWN);
  });
});

describe('formatLocation', () => {
  it('counts cells and sensors from 1, like the controller log', () => {
    expect(formatLocation({ moduleAddress: 2, cellIndex: 2 })).toBe('module 2 cell 3');
    expect(formatLocation({ moduleAddress: 1, sensorIndex: 1 })).toBe('module 1 sensor 2');
    expect(formatLocation({ moduleAddress: 7 })).toBe('module 7');
    expect(formatLocation({ contactor: 'positive' })).toBe('contactor positive');
  });

  it('names the pack when the location is empty', () => {
    expect(formatLocation({})).toBe('pack');
    expect(formatLocation({ quantity: 'cellVoltage' })).toBe('pack');
  });
});

describe('formatAge', () => {
  it.each([
    [0, '0 s'],
    [59_999, '59 s'],
    [60_000, '1 min 0 s'],
    [3_599_000, '59 min 59 s'],
    [3_600_000, '1 h 0 min'],
    [(26 * 60 + 5) * 60_000, '1 d 2 h'],
    [-500, '0 s'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatAge(ms)).toBe(text);
  });

  it('is a dash for a missing time', () => {
    expect(formatAge(null)).toBe(UNKNOWN);
  });
});

describe('formatClockTime', () => {
  it('is the local HH:MM:SS', () => {
    const t = new Date(2026, 10, 23, 7, 5, 9).getTime();
    expect(formatClockTime(t)).toBe('07:05:09');
    expect(formatClockTime(null)).toBe(UNKNOWN);
  });
});

describe('fault text', () => {
  it('splits camel case kinds into words', () => {
    expect(humanizeKind('cellOverVoltage')).toBe('cell over voltage');
    expect(humanizeKind('moduleCommsLoss')).toBe('module comms loss');
  });

  it('gives a value the unit of its kind', () => {
    expect(formatFaultValue('cellOverVoltage', 4.1712)).toBe('4.171 V');
    expect(formatFaultValue('overTemperature', 61.26)).toBe('61.3 °C');
    expect(formatFaultValue('dischargeOverCurrent', 250)).toBe('250.0 A');
    expect(formatFaultValue('moduleCountMismatch', 3)).toBe('3.0');
    expect(formatFaultValue('moduleCommsLoss', null)).toBe(UNKNOWN);
  });
});
