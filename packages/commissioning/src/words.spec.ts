import { addressList, celsius, listOf, median, percent, volts } from './words';
import { locateNoisyCable, moduleStats } from './index';
import { healthyObservations, linkCounters, withModuleScans } from './testing';

describe('words', () => {
  it.each([
    [[1], '1'],
    [[1, 2], '1 and 2'],
    [[1, 3, 4], '1, 3 and 4'],
    [[4, 1, 2, 3, 6], '1–4 and 6'],
    [[], ''],
  ])('addressList(%j) = %s', (addresses, text) => expect(addressList(addresses)).toBe(text));

  it('numbers with units, a real minus sign, and percentages', () => {
    expect(volts(-0.456)).toBe('\u22120.46 V');
    expect(celsius(-100.4)).toBe('\u2212100 °C');
    expect(celsius(24.04)).toBe('24.0 °C');
    expect(celsius(65, 0)).toBe('65 °C');
    expect([percent(0), percent(0.012), percent(0.4)]).toEqual(['0 %', '1.2 %', '40 %']);
    expect(listOf(['a', 'b', 'c'])).toBe('a, b and c');
    expect([median([]), median([3, 1, 2]), median([4, 1, 2, 3])]).toEqual([null, 2, 2.5]);
  });
});

describe('locateNoisyCable', () => {
  const pattern = (kinds: string) => {
    let o = healthyObservations({ modules: kinds.length, scans: 2 });
    [...kinds].forEach((kind, i) => {
      const link =
        kind === 'd'
          ? linkCounters({ framesOk: 1, crcErrors: 1 })
          : kind === 'l'
            ? linkCounters({ framesOk: 1, timeouts: 1 })
            : kind === 'm'
              ? linkCounters({ framesOk: 1, timeouts: 1, crcErrors: 1 })
              : linkCounters({ framesOk: 1 });
      o = withModuleScans(o, i + 1, (scan) => ({ ...scan, link }));
    });
    return locateNoisyCable(o.modules.map(moduleStats));
  };

  it.each([
    ['ddll', { first: 2, last: 2 }], // between module 2 and 3
    ['llll', { first: 0, last: 0 }], // from the host to module 1
    ['dddd', { first: 4, last: 4 }], // from module 4 back to the host
    ['d..l', { first: 1, last: 3 }], // somewhere between module 1 and module 4
    ['....', null],
    ['dmll', null],
    ['ld..', null],
  ])('%s → %j', (kinds, cable) => expect(pattern(kinds)).toEqual(cable));
});
