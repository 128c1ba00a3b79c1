import { ConfigChangeError, type ConfigChangeErrorCode, type ConfigIssue } from '@tsbms/bms-core';

/** One rejected setting: the dotted config path (`cells.cellHighVoltageV`) and why. */
export type { ConfigIssue };

/**
 * INVALID_CONFIG (wrong type, unknown key, out of range, inconsistent), CONFIG_FILE (the file
 * itself: missing, unreadable, empty or not valid YAML/JSON) or PROTECTED_SETTING (a setting that
 * may not be changed over HTTP or MQTT: remote-change-policy.ts).
 */
export type ControllerConfigErrorCode = ConfigChangeErrorCode;

/**
 * A configuration the controller refuses. Each issue is one line, `FILE: PATH: REASON`, so the
 * CLI can print the message as it is and exit 2. `configPath` and `reason` are the first issue's.
 * It is the ConfigChangeError of @tsbms/bms-core, so an output recognises it without the app.
 */
export class ControllerConfigError extends ConfigChangeError {
  constructor(
    code: ControllerConfigErrorCode,
    issues: readonly ConfigIssue[],
    readonly file?: string,
  ) {
    super(code, issues, issues.map((issue) => issueLine(issue, file)).join('\n'));
    this.name = 'ControllerConfigError';
  }

  /** The same error, attributed to a file (or another source such as the environment). */
  withFile(file: string): ControllerConfigError {
    return new ControllerConfigError(this.code, this.issues, file);
  }
}

/** A problem with the file as a whole: no config path. */
export function configFileError(file: string, reason: string): ControllerConfigError {
  return new ControllerConfigError('CONFIG_FILE', [{ configPath: '', reason }], file);
}

function issueLine(issue: ConfigIssue, file: string | undefined): string {
  const parts = [file, issue.configPath, issue.reason].filter((part) => part !== undefined && part !== '');
  return parts.join(': ');
}

export function isControllerConfigError(error: unknown): error is ControllerConfigError {
  return error instanceof ControllerConfigError;
}

export { errorMessage } from '@tsbms/hal';
