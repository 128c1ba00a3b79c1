/** One rejected setting: the dotted config path (`cells.cellHighVoltageV`) and why. */
export interface ConfigIssue {
  readonly configPath: string;
  readonly reason: string;
}

export type ControllerConfigErrorCode =
  /** The settings are wrong: wrong type, unknown key, out of range, inconsistent. */
  | 'INVALID_CONFIG'
  /** The file itself: missing, unreadable, empty or not valid YAML/JSON. */
  | 'CONFIG_FILE'
  /** A setting that may not be changed over HTTP or MQTT (remote-change-policy.ts). */
  | 'PROTECTED_SETTING';

/**
 * A configuration the controller refuses. Each issue is one line, `FILE: PATH: REASON`, so the
 * CLI can print the message as it is and exit 2. `configPath` and `reason` are the first issue's.
 */
export class ControllerConfigError extends Error {
  readonly configPath: string;
  readonly reason: string;

  constructor(
    readonly code: ControllerConfigErrorCode,
    readonly issues: readonly ConfigIssue[],
    readonly file?: string,
  ) {
    super(issues.map((issue) => issueLine(issue, file)).join('\n'));
    this.name = 'ControllerConfigError';
    this.configPath = issues[0].configPath;
    this.reason = issues[0].reason;
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

/** The message of anything thrown (an fs error may come from another realm: no instanceof). */
export function errorMessage(error: unknown): string {
  const message: unknown =
    typeof error === 'object' && error !== null ? Reflect.get(error, 'message') : undefined;
  return typeof message === 'string' ? message : String(error);
}
