import { HEAT_MAP_LEGEND, renderLinkHeatMap } from './index';
import { healthyObservations, linkCounters, withModuleScans } from './testing';

describe('renderLinkHeatMap', () => {
  it('one row per module, one shade per scan, the totals at the end', () => {
    const shares = [0, 0.2, 0.4, 0.6, 1]; // · ░ ▒ ▓ █
    let o = healthyObservations({ modules: 2, scans: 6 });
    o = withModuleScans(o, 2, (scan, i) => {
      if (i === 5) return { ...scan, link: linkCounters({}) }; // not asked
      const failed = Math.round(shares[i] * 5);
      return { ...scan, link: linkCounters({ framesOk: 5 - failed, crcErrors: failed }) };
    });
    expect(renderLinkHeatMap(o.modules).split('\n')).toEqual([
      HEAT_MAP_LEGEND,
      'module 1 │······│ 0/6 failed',
      'module 2 │·░▒▓█ │ 11/25 failed (44 %)',
    ]);
  });

  it('puts several scans in a column when there are more than fit', () => {
    let o = healthyObservations({ modules: 1, scans: 100 });
    o = withModuleScans(o, 1, (scan, i) =>
      i >= 90 ? { ...scan, link: linkCounters({ timeouts: 3 }) } : scan,
    );
    const lines = renderLinkHeatMap(o.modules, { maxColumns: 10 }).split('\n');
    expect(lines[0]).toBe(`${HEAT_MAP_LEGEND} (10 scans per column)`);
    expect(lines[1]).toBe('module 1 │·········█│ 30/120 failed (25 %)');
  });

  it('pads labels to the widest and says when nothing was scanned', () => {
    const o = healthyObservations({ modules: 10, scans: 1 });
    const lines = renderLinkHeatMap(o.modules).split('\n');
    expect(lines[1]).toBe('module 1  │·│ 0/1 failed');
    expect(lines[10]).toBe('module 10 │·│ 0/1 failed');
    expect(renderLinkHeatMap([])).toBe('no module was scanned');
  });
});
