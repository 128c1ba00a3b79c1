import type { Request, Response } from 'express';
import { RecordingLogger } from '@tsbms/hal/testing';
import { apiErrorHandler } from './api-errors';

/** The handler's answer to `error`, and what it logged. */
function answerTo(error: unknown) {
  const logger = new RecordingLogger();
  const answer: { status?: number; body?: unknown } = {};
  const res = {
    headersSent: false,
    status(code: number) {
      answer.status = code;
      return this;
    },
    json(body: unknown) {
      answer.body = body;
      return this;
    },
  } as unknown as Response;
  apiErrorHandler(logger)(error, {} as Request, res, () => undefined);
  return { answer, logged: logger.lines };
}

describe('apiErrorHandler', () => {
  it('keeps the status of a client error express raised without a known type, unlogged', () => {
    // What body-parser raised for a corrupt deflate body: http-errors' 400 around zlib's error.
    const corrupt = Object.assign(new Error('incorrect header check'), { status: 400, expose: true });
    const { answer, logged } = answerTo(corrupt);
    expect(answer).toEqual({
      status: 400,
      body: { error: { code: 'BAD_REQUEST', message: 'the request could not be read' } },
    });
    expect(logged).toEqual([]);
  });

  it('answers anything else 500 without internals, and logs it', () => {
    const { answer, logged } = answerTo(new Error('disk on fire'));
    expect(answer).toEqual({
      status: 500,
      body: { error: { code: 'INTERNAL', message: 'internal error (logged)' } },
    });
    expect(logged.map((line) => [line.level, line.message])).toEqual([
      ['error', 'HTTP request failed: disk on fire'],
    ]);
  });
});
