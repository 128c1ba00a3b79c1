/** Structured context of a log line, e.g. `{ event: 'serial', path }`. */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * Where adapters and the controller report what happens. Fields first, then the message, as pino
 * takes them, so a pino logger is passed as it is.
 */
export interface Logger {
  info(fields: LogFields, message: string): void;
  warn(fields: LogFields, message: string): void;
  error(fields: LogFields, message: string): void;
}

const ignore = (): void => undefined;

/** Drops every line: the default of an adapter that was given no logger. */
export const silentLogger: Logger = Object.freeze({
  info: ignore,
  warn: ignore,
  error: ignore,
});
