import type { ErrorRequestHandler, Response } from 'express';
import { errorMessage, type Logger } from '@tsbms/hal';
import { isConfigChangeError } from '@tsbms/bms-core';

export interface ApiIssue {
  /** Dotted path, e.g. `cells.cellHighVoltageV`; `(root)` for the body as a whole. */
  readonly path: string;
  readonly reason: string;
}

/** Every error answer has this shape: `{ error: { code, message, issues? } }`. */
export function sendError(
  res: Response,
  status: number,
  code: string,
  message: string,
  issues?: readonly ApiIssue[],
): void {
  res.status(status).json({ error: { code, message, ...(issues === undefined ? {} : { issues }) } });
}

/** body-parser's error `type`s → status and code. */
const BODY_ERRORS: Readonly<Record<string, readonly [number, string, string]>> = {
  'entity.parse.failed': [400, 'BAD_JSON', 'the body is not valid JSON'],
  'entity.too.large': [413, 'PAYLOAD_TOO_LARGE', 'the body is larger than http.maxBodyBytes'],
  'encoding.unsupported': [415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body uncompressed (no Content-Encoding)'],
  'charset.unsupported': [415, 'UNSUPPORTED_MEDIA_TYPE', 'unsupported charset: send UTF-8'],
  'request.aborted': [400, 'REQUEST_ABORTED', 'the request was aborted'],
  'request.size.invalid': [400, 'BAD_REQUEST', 'the body length does not match Content-Length'],
};

/** The last handler: config errors, body errors, then 500 without internals (logged). */
export function apiErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) return next(error);
    if (isConfigChangeError(error)) {
      if (error.code === 'CONFIG_FILE') return sendError(res, 409, 'CONFIG_FILE', errorMessage(error));
      const issues = error.issues.map((issue) => ({ path: issue.configPath, reason: issue.reason }));
      // A setting HTTP may not change is refused whatever the credentials: 403, not a bad value.
      const status = error.code === 'PROTECTED_SETTING' ? 403 : 400;
      return sendError(
        res,
        status,
        error.code,
        'the configuration was not changed: ' + issueSummary(issues),
        issues,
      );
    }
    const type: unknown =
      typeof error === 'object' && error !== null ? Reflect.get(error, 'type') : undefined;
    const known = typeof type === 'string' ? BODY_ERRORS[type] : undefined;
    // RFC 9110 §15.5.16: a 415 for a content coding names the codings accepted (none but identity).
    if (type === 'encoding.unsupported') res.setHeader('Accept-Encoding', 'identity');
    if (known !== undefined) return sendError(res, known[0], known[1], known[2]);
    const status: unknown =
      typeof error === 'object' && error !== null ? Reflect.get(error, 'status') : undefined;
    if (status === 404) return sendError(res, 404, 'NOT_FOUND', 'not found');
    // Any other client error express raised (a body that failed while being read): not a 500.
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return sendError(res, status, 'BAD_REQUEST', 'the request could not be read');
    }
    logger.error(
      { event: 'http', error: errorMessage(error) },
      `HTTP request failed: ${errorMessage(error)}`,
    );
    return sendError(res, 500, 'INTERNAL', 'internal error (logged)');
  };
}

function issueSummary(issues: readonly ApiIssue[]): string {
  return issues.map((issue) => `${issue.path}: ${issue.reason}`).join('; ');
}
