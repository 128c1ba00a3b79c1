/** The message of anything thrown (an fs error may come from another realm: no instanceof). */
export function errorMessage(error: unknown): string {
  const message: unknown =
    typeof error === 'object' && error !== null ? Reflect.get(error, 'message') : undefined;
  return typeof message === 'string' ? message : String(error);
}
