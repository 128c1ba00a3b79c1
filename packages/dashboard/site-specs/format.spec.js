import {
  formatAge,
  formatClockTime,
  formatFaultValue,
  formatLocation,
  formatNumber,
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
