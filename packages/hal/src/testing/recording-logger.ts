import type { LogFields, Logger } from '../logger';

export interface LoggedLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly fields: LogFields;
  readonly message: string;
}

/** A Logger that keeps every line, oldest first. */
export class RecordingLogger implements Logger {
  readonly lines: LoggedLine[] = [];

  info(fields: LogFields, message: string): void {
    this.lines.push({ level: 'info', fields, message });
  }

  warn(fields: LogFields, message: string): void {
    this.lines.push({ level: 'warn', fields, message });
  }

  error(fields: LogFields, message: string): void {
    this.lines.push({ level: 'error', fields, message });
  }
}
