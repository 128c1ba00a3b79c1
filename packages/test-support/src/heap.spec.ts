import { heapUsedAfterGcBytes } from './heap';

const MiB = 1024 * 1024;

describe('heapUsedAfterGcBytes', () => {
  it('really collects: 32 MiB held count, the same 32 MiB let go do not', () => {
    const before = heapUsedAfterGcBytes();
    // 32 Mi doubles' worth of small arrays: garbage the moment `held` is cleared.
    let held: number[][] | null = Array.from({ length: 4096 }, () => new Array<number>(1024).fill(0.5));
    const holding = heapUsedAfterGcBytes();
    expect(held).toHaveLength(4096);
    held = null;
    const after = heapUsedAfterGcBytes();
    expect(holding - before).toBeGreaterThan(28 * MiB);
    expect(holding - after).toBeGreaterThan(28 * MiB);
    expect(Math.abs(after - before)).toBeLessThan(2 * MiB);
  });
});
