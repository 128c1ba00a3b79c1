/**
 * A field of a thrown value, read without `instanceof Error`: errors made in Node's own realm
 * (fetch's, a socket's) fail that check where the code runs in another one (Jest's vm context).
 */
export function errorField(error: unknown, field: string): unknown {
  return typeof error === 'object' && error !== null ? Reflect.get(error, field) : undefined;
}
