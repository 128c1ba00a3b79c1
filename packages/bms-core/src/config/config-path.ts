/** `['soc', 'ocvTable', 3, 'voltageV']` → `soc.ocvTable[3].voltageV`; the root is `(root)`. */
export function formatConfigPath(segments: readonly PropertyKey[]): string {
  const text = segments
    .map((segment) => (typeof segment === 'number' ? `[${segment}]` : `.${String(segment)}`))
    .join('')
    .replace(/^\./, '');
  return text === '' ? '(root)' : text;
}

/** An object literal (of any realm: structuredClone and Jest's sandbox each have their own). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === null || Object.getPrototypeOf(prototype) === null;
}

/** The value at a dotted path, or undefined where the path leaves the object. */
export function getAtPath(root: unknown, dottedPath: string): unknown {
  let node = root;
  for (const key of dottedPath.split('.')) {
    if (!isPlainObject(node)) return undefined;
    node = node[key];
  }
  return node;
}

/**
 * Sets a path in a plain object, creating missing objects on the way. A non-object in the way is
 * left as it is (the schema will report it) and nothing is set: returns false.
 */
export function setAtPath(root: Record<string, unknown>, keys: readonly string[], value: unknown): boolean {
  let node = root;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (next === undefined) {
      const created: Record<string, unknown> = {};
      defineKey(node, key, created);
      node = created;
    } else if (isPlainObject(next)) {
      node = next;
    } else {
      return false;
    }
  }
  defineKey(node, keys[keys.length - 1], value);
  return true;
}

/**
 * An own, enumerable property even for `__proto__`: a key arriving from a patch must stay a key
 * (and be rejected by the strict schema), never become the object's prototype.
 */
export function defineKey(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
