/**
 * Why a support bundle was not made. `SECRET_IN_BUNDLE`: the last check found a secret's value in
 * an entry (the message names the entry and where the secret came from, never the value);
 * `BAD_ENTRY`: an entry the archive cannot hold (a name too long, a file too large);
 * `DAEMON_REQUEST`: the running daemon did not answer what `--url` asked.
 */
export type SupportBundleErrorCode = 'SECRET_IN_BUNDLE' | 'BAD_ENTRY' | 'DAEMON_REQUEST';

export class SupportBundleError extends Error {
  constructor(
    readonly code: SupportBundleErrorCode,
    message: string,
    /** The entry concerned, when there is one (`config.json`). */
    readonly entry?: string,
  ) {
    super(message);
    this.name = 'SupportBundleError';
  }
}
