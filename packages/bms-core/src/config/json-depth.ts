/** The settings nest four levels deep (`limits.chargeSocTable[1].input`); a patch has no reason to go deeper. */
export const MAX_PATCH_DEPTH = 8;

/**
 * Whether `value` nests objects or arrays more than `maxDepth` levels deep (a scalar is depth 0,
 * `{}` and `[]` depth 1, `{ "a": [] }` depth 2). Iterative, so a hostile body of thousands of
 * levels cannot overflow the stack here; meant to run before anything recursive (structuredClone,
 * a deep merge, a schema) touches a parsed body. It stops at the first container past the bound,
 * so it also ends on a cyclic value (infinitely deep).
 */
export function jsonDepthExceeds(value: unknown, maxDepth: number): boolean {
  const pending: { readonly node: unknown; readonly depth: number }[] = [{ node: value, depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { node, depth } = next;
    if (typeof node !== 'object' || node === null) continue;
    if (depth + 1 > maxDepth) return true;
    for (const child of Object.values(node)) pending.push({ node: child, depth: depth + 1 });
  }
  return false;
}
