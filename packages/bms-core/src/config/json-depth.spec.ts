import fc from 'fast-check';
import { jsonDepthExceeds } from './json-depth';

/** `levels` arrays or objects inside each other, built without recursion. */
function nested(levels: number, kind: 'array' | 'object', leaf: unknown = 1): unknown {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = kind === 'array' ? [value] : { a: value };
  return value;
}

/** The depth by the definition, recursively: fine for the small values of the property. */
function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  return 1 + Math.max(0, ...Object.values(value).map(depthOf));
}

describe('jsonDepthExceeds', () => {
  it('counts objects and arrays as levels, scalars as none', () => {
    expect(jsonDepthExceeds(1, 0)).toBe(false);
    expect(jsonDepthExceeds(null, 0)).toBe(false);
    expect(jsonDepthExceeds('text', 0)).toBe(false);
    expect(jsonDepthExceeds({}, 0)).toBe(true);
    expect(jsonDepthExceeds({}, 1)).toBe(false);
    expect(jsonDepthExceeds({ a: [] }, 1)).toBe(true);
    expect(jsonDepthExceeds({ a: [] }, 2)).toBe(false);
    expect(jsonDepthExceeds({ soc: { ocvTable: [{ voltageV: 3.6 }] } }, 3)).toBe(true);
    expect(jsonDepthExceeds({ soc: { ocvTable: [{ voltageV: 3.6 }] } }, 4)).toBe(false);
  });

  it('looks into every branch, not only the first', () => {
    // The object, `other`, its second item and five arrays: 8 levels.
    const value = { shallow: 1, other: [2, { deep: nested(5, 'array') }] };
    expect(jsonDepthExceeds(value, 7)).toBe(true);
    expect(jsonDepthExceeds(value, 8)).toBe(false);
  });

  it('agrees with the recursive definition on any JSON value (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.nat(8), (value, maxDepth) => {
        expect(jsonDepthExceeds(value, maxDepth)).toBe(depthOf(value) > maxDepth);
      }),
    );
  });

  it.each(['array', 'object'] as const)('walks 100 000 nested %ss without overflowing the stack', (kind) => {
    const deep = nested(100_000, kind);
    expect(jsonDepthExceeds(deep, 32)).toBe(true);
    expect(jsonDepthExceeds(deep, 100_000)).toBe(false);
  });

  it('ends on a cyclic value: too deep', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(jsonDepthExceeds(cyclic, 32)).toBe(true);
  });
});
