import type { Logger } from '@tsbms/hal';

/**
 * A Logger for the adapter tests, which compare the log as text: each line goes into `lines` as
 * `level message` (fields left out) and to `onLine` as it happens.
 */
export function textLogger(
  lines: string[] = [],
  onLine?: (line: string) => void,
): { logger: Logger; lines: string[] } {
  const record = (level: string) => (_fields: unknown, message: string) => {
    const line = `${level} ${message}`;
    lines.push(line);
    onLine?.(line);
  };
  return { logger: { info: record('info'), warn: record('warn'), error: record('error') }, lines };
}
