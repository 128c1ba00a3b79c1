/** The part of a logger the adapters use; pino, console and most loggers fit it. */
export interface LinkLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const ignore = (): void => undefined;

export const silentLogger: LinkLogger = Object.freeze({
  info: ignore,
  warn: ignore,
  error: ignore,
});
