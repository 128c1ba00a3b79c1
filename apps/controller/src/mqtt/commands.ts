import { z } from 'zod';
import { FAULT_KINDS } from '@tsbms/fault-engine';
import { errorMessage, isControllerConfigError } from '../config';
import type { ControllerContext } from '../services';
import type { MqttTopics } from './topics';

/*
 * The command topics: a JSON object per message, answered on `<prefix>/cmd/response` with the
 * request's `id` (a string or number, optional: null in the answer when absent).
 *   config/set  {"id": 7, "cells": {"cellHighVoltageV": 4.05}}  the rest is a partial config file
 *   faults/ack  {"id": 8, "kind": "cellOverVoltage", "location": {"moduleAddress": 2}}  both optional
 *   restart     {"id": 9}
 */

export type CommandId = string | number | null;

export interface CommandError {
  /** BAD_REQUEST (not JSON, wrong fields), INVALID_CONFIG, CONFIG_FILE, UNAVAILABLE. */
  readonly code: string;
  readonly message: string;
  readonly issues?: readonly { readonly configPath: string; readonly reason: string }[];
}

export type CommandResponse =
  | ({ readonly id: CommandId; readonly command: string; readonly ok: true } & Readonly<
      Record<string, unknown>
    >)
  | { readonly id: CommandId; readonly command: string; readonly ok: false; readonly error: CommandError };

const SOURCE = 'mqtt';

const commandId = z.union([z.string().max(200), z.number()]).optional();

const faultsAckSchema = z.strictObject({
  id: commandId,
  kind: z.enum(FAULT_KINDS).optional(),
  /** The `location` of a fault in the status (cellIndex and sensorIndex from 0). */
  location: z
    .strictObject({
      moduleAddress: z.number().int().min(1).optional(),
      cellIndex: z.number().int().min(0).optional(),
      sensorIndex: z.number().int().min(0).optional(),
      quantity: z.enum(['cellVoltage', 'temperature', 'moduleVoltage']).optional(),
      contactor: z.string().min(1).optional(),
    })
    .optional(),
});

const restartSchema = z.strictObject({ id: commandId });

class BadRequest extends Error {
  constructor(
    message: string,
    readonly id: CommandId = null,
  ) {
    super(message);
  }
}

/** The JSON object of a command; an empty payload counts as `{}`. */
function parseBody(payload: string): Record<string, unknown> {
  if (payload.trim() === '') return {};
  let body: unknown;
  try {
    body = JSON.parse(payload);
  } catch (error) {
    throw new BadRequest(`payload is not valid JSON: ${errorMessage(error)}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BadRequest('payload must be a JSON object');
  }
  return body as Record<string, unknown>;
}

function idOf(body: Record<string, unknown>): CommandId {
  const parsed = commandId.safeParse(body['id']);
  if (!parsed.success) throw new BadRequest('id must be a string or a number');
  return parsed.data ?? null;
}

function validated<T>(schema: z.ZodType<T>, body: Record<string, unknown>, id: CommandId): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new BadRequest(issues.join('; '), id);
}

/** What an exception becomes in the answer; a rejected config keeps every issue. */
function commandError(error: unknown): CommandError {
  if (error instanceof BadRequest) return { code: 'BAD_REQUEST', message: error.message };
  if (isControllerConfigError(error)) {
    const issues = error.issues.map(({ configPath, reason }) => ({ configPath, reason }));
    return { code: error.code, message: error.message, issues };
  }
  return { code: 'UNAVAILABLE', message: errorMessage(error) };
}

export interface CommandOutcome {
  readonly response: CommandResponse;
  /** To run once the response has been handed to the client (a restart). */
  readonly afterResponse?: () => void;
}

type Handler = (body: Record<string, unknown>, id: CommandId, context: ControllerContext) => CommandOutcome;

function setConfig(body: Record<string, unknown>, id: CommandId, context: ControllerContext): CommandOutcome {
  const patch = Object.fromEntries(Object.entries(body).filter(([key]) => key !== 'id'));
  if (Object.keys(patch).length === 0) throw new BadRequest('no settings given', id);
  // Validated and persisted, or throws with nothing changed; the restart follows after this tick.
  context.updateConfig(patch, SOURCE);
  return { response: { id, command: 'config/set', ok: true } };
}

function acknowledgeFaults(
  body: Record<string, unknown>,
  id: CommandId,
  context: ControllerContext,
): CommandOutcome {
  const { kind, location } = validated(faultsAckSchema, body, id);
  const result = context.acknowledgeFaults({
    source: SOURCE,
    ...(kind === undefined ? {} : { kind }),
    ...(location === undefined ? {} : { location }),
  });
  return {
    response: {
      id,
      command: 'faults/ack',
      ok: true,
      accepted: result.accepted.map(({ kind, level, location }) => ({ kind, level, location })),
      rejected: result.rejected.map(({ fault, reason }) => ({
        kind: fault.kind,
        level: fault.level,
        location: fault.location,
        reason,
      })),
    },
  };
}

function restart(body: Record<string, unknown>, id: CommandId, context: ControllerContext): CommandOutcome {
  validated(restartSchema, body, id);
  return {
    response: { id, command: 'restart', ok: true },
    afterResponse: () => context.requestRestart('restart requested', SOURCE),
  };
}

/** The command topics this module answers, with their handlers. */
export function commandHandlers(topics: MqttTopics): ReadonlyMap<string, { name: string; run: Handler }> {
  return new Map([
    [topics.configSet, { name: 'config/set', run: setConfig }],
    [topics.faultsAck, { name: 'faults/ack', run: acknowledgeFaults }],
    [topics.restart, { name: 'restart', run: restart }],
  ]);
}

/**
 * Runs one command message. Never throws: malformed input, a rejected config or a core that is
 * restarting all become an `ok: false` answer, and nothing invalid reaches the config file.
 */
export function runCommand(
  handler: { name: string; run: Handler },
  payload: string,
  context: ControllerContext,
): CommandOutcome {
  let id: CommandId = null;
  try {
    const body = parseBody(payload);
    id = idOf(body);
    return handler.run(body, id, context);
  } catch (error) {
    const errorId = error instanceof BadRequest && error.id !== null ? error.id : id;
    return { response: { id: errorId, command: handler.name, ok: false, error: commandError(error) } };
  }
}
