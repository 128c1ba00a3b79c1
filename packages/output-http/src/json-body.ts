import type { RequestHandler } from 'express';
import { jsonDepthExceeds } from '@tsbms/bms-core';
import { sendError } from './api-errors';

/** Far deeper than any setting (`soc.ocvTable[0].voltageV` is 4 levels), far from a stack overflow. */
export const MAX_JSON_DEPTH = 32;

/**
 * Reads an `application/json` body of at most `maxBodyBytes`, then refuses one nested deeper
 * than MAX_JSON_DEPTH (400 TOO_DEEP) before anything recursive (structuredClone, the config
 * merge, zod) touches it: 10 000 levels overflowed the stack there, a 500. JSON.parse itself
 * does not recurse. Only identity bodies are read: a Content-Encoding (deflate, gzip, br) is 415,
 * since no client of this API compresses and inflating is work an attacker chooses.
 */
export function readJsonBody(maxBodyBytes: number): RequestHandler {
  // Loaded on first use, like the app it serves (http-app.ts).
  const express = require('express') as typeof import('express');
  const parse = express.json({ limit: maxBodyBytes, strict: true, type: 'application/json', inflate: false });
  return (req, res, next) =>
    parse(req, res, (error?: unknown) => {
      if (error !== undefined) return next(error);
      if (!jsonDepthExceeds(req.body, MAX_JSON_DEPTH)) return next();
      sendError(res, 400, 'TOO_DEEP', `the body nests deeper than ${MAX_JSON_DEPTH} levels`);
    });
}
