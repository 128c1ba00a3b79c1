import { z } from 'zod';
import { FAULT_KINDS } from '@tsbms/fault-engine';
import {
  credentialTextProblem,
  verifySecret,
  type FailedAttemptThrottle,
  type ParsedHash,
} from '@tsbms/credentials';
import { errorMessage } from '@tsbms/hal';
import {
  isConfigChangeError,
  jsonDepthExceeds,
  MAX_PATCH_DEPTH,
  type OutputContext,
  type RestartDecision,
} from '@tsbms/bms-core';
import type { MqttTopics } from './topics';

/*
 * The command topics (off unless mqtt.commands.enabled): a JSON object per message carrying the
 * command token, answered on `<prefix>/cmd/response` with the request's `id` (a string or number,
 * optional: null in the answer when absent). The token is never echoed.
 *   config/set  {"token": "…", "id": 7, "cells": {"cellHighVoltageV": 4.05}}  the rest is a partial config file
 *   faults/ack  {"token": "…", "id": 8, "kind": "cellOverVoltage", "location": {"moduleAddress": 2}}
 *   restart     {"token": "…", "id": 9}
 *   balance     {"token": "…", "id": 10}   balance now: the next scan decides without the voltage floor
 */

export type CommandId = string | number | null;

export interface CommandError {
  /**
   * BAD_REQUEST (not JSON, wrong fields), UNAUTHORIZED (token missing or wrong),
   * TOO_MANY_ATTEMPTS (wrong tokens: wait retryAfterS), INVALID_CONFIG, PROTECTED_SETTING,
   * CONFIG_FILE, RESTART_REFUSED (wait retryAfterS), BALANCE_REFUSED (balancing off, a fault),
   * UNAVAILABLE.
   */
  readonly code: string;
  readonly message: string;
  readonly issues?: readonly { readonly configPath: string; readonly reason: string }[];
  readonly retryAfterS?: number;
}

export type CommandResponse =
  | ({ readonly id: CommandId; readonly command: string; readonly ok: true } & Readonly<
      Record<string, unknown>
    >)
  | { readonly id: CommandId; readonly command: string; readonly ok: false; readonly error: CommandError };

/** How commands prove they may run: the token's hash, and the back-off after wrong tokens. */
export interface CommandAuthorisation {
  readonly tokenHash: ParsedHash;
  /** MQTT does not say who published a message: one key for every client. */
  readonly throttle: FailedAttemptThrottle;
}

const SOURCE = 'mqtt';
const THROTTLE_KEY = 'mqtt-commands';

const commandId = z.union([z.string().max(200), z.number()]).optional();

const faultsAckSchema = z.strictObject({
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

const restartSchema = z.strictObject({});
const balanceSchema = z.strictObject({});

/** A refusal that becomes the answer's error. */
class CommandRefused extends Error {
  constructor(
    readonly code:
      | 'BAD_REQUEST'
      | 'UNAUTHORIZED'
      | 'TOO_MANY_ATTEMPTS'
      | 'RESTART_REFUSED'
      | 'BALANCE_REFUSED',
    message: string,
    readonly retryAfterS?: number,
  ) {
    super(message);
  }
}

const badRequest = (message: string) => new CommandRefused('BAD_REQUEST', message);

/** The JSON object of a command. */
function parseBody(payload: string): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(payload);
  } catch (error) {
    throw badRequest(`payload is not valid JSON: ${errorMessage(error)}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('payload must be a JSON object');
  }
  // A command is a config patch at most, plus its envelope.
  if (jsonDepthExceeds(body, MAX_PATCH_DEPTH + 1)) throw badRequest('payload nests too deep');
  return body as Record<string, unknown>;
}

function idOf(body: Record<string, unknown>): CommandId {
  const parsed = commandId.safeParse(body['id']);
  if (!parsed.success) throw badRequest('id must be a string or a number');
  return parsed.data ?? null;
}

/** Wrong tokens back off (FailedAttemptThrottle) and are refused without running scrypt meanwhile. */
async function authorise(token: unknown, authorisation: CommandAuthorisation): Promise<void> {
  const waitMs = authorisation.throttle.retryAfterMs(THROTTLE_KEY);
  if (waitMs > 0) {
    const retryAfterS = Math.ceil(waitMs / 1000);
    throw new CommandRefused(
      'TOO_MANY_ATTEMPTS',
      `too many wrong tokens: retry in ${retryAfterS} s`,
      retryAfterS,
    );
  }
  if (token === undefined) throw new CommandRefused('UNAUTHORIZED', 'a command needs its "token"');
  const problem = typeof token === 'string' ? credentialTextProblem(token) : 'token must be a string';
  const ok = problem === null && (await verifySecret(authorisation.tokenHash, token as string));
  if (!ok) {
    authorisation.throttle.recordFailure(THROTTLE_KEY);
    throw new CommandRefused('UNAUTHORIZED', problem ?? 'wrong token');
  }
  authorisation.throttle.recordSuccess(THROTTLE_KEY);
}

/** The `id` of a command for an answer given without running it (BUSY); null when there is none. */
export function commandIdOf(payload: string): CommandId {
  try {
    return idOf(parseBody(payload));
  } catch {
    return null;
  }
}

function validated<T>(schema: z.ZodType<T>, body: Record<string, unknown>): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw badRequest(issues.join('; '));
}

/** What an exception becomes in the answer; a rejected config keeps every issue. */
function commandError(error: unknown): CommandError {
  if (error instanceof CommandRefused) {
    return {
      code: error.code,
      message: error.message,
      ...(error.retryAfterS === undefined ? {} : { retryAfterS: error.retryAfterS }),
    };
  }
  if (isConfigChangeError(error)) {
    const issues = error.issues.map(({ configPath, reason }) => ({ configPath, reason }));
    return { code: error.code, message: error.message, issues };
  }
  return { code: 'UNAVAILABLE', message: errorMessage(error) };
}

/** The answer's fields for a restart decision; a refused restart is an error. */
function restartFields(decision: RestartDecision): { restartInS: number } {
  if (!decision.accepted) throw new CommandRefused('RESTART_REFUSED', decision.reason, decision.retryAfterS);
  return { restartInS: decision.inS };
}

/** What the commands do through the output's context: change the config, acknowledge, restart. */
export type CommandContext = Pick<
  OutputContext<unknown>,
  'configuration' | 'acknowledgeFaults' | 'requestRestart' | 'balanceNow'
>;

/** A handler gets the command's fields without its envelope (id, token). */
type Handler = (
  fields: Record<string, unknown>,
  context: CommandContext,
) => Readonly<Record<string, unknown>>;

function setConfig(fields: Record<string, unknown>, context: CommandContext) {
  if (Object.keys(fields).length === 0) throw badRequest('no settings given');
  // Validated, checked and persisted, or throws with nothing changed; a no-op restarts nothing.
  const update = context.configuration.update(fields, SOURCE);
  return {
    changed: update.changedPaths,
    ...(update.effect === null ? {} : { effect: update.effect }),
    ...(update.restart === null ? {} : restartFields(update.restart)),
  };
}

function acknowledgeFaults(fields: Record<string, unknown>, context: CommandContext) {
  const { kind, location } = validated(faultsAckSchema, fields);
  const result = context.acknowledgeFaults({
    source: SOURCE,
    ...(kind === undefined ? {} : { kind }),
    ...(location === undefined ? {} : { location }),
  });
  return {
    accepted: result.accepted.map(({ kind, level, location }) => ({ kind, level, location })),
    rejected: result.rejected.map(({ fault, reason }) => ({
      kind: fault.kind,
      level: fault.level,
      location: fault.location,
      reason,
    })),
  };
}

function restart(fields: Record<string, unknown>, context: CommandContext) {
  validated(restartSchema, fields);
  // The restart itself waits for the clock, so this answer goes out first.
  return restartFields(context.requestRestart('restart requested', SOURCE));
}

function balanceNow(fields: Record<string, unknown>, context: CommandContext) {
  validated(balanceSchema, fields);
  const result = context.balanceNow(SOURCE);
  if (!result.accepted) throw new CommandRefused('BALANCE_REFUSED', result.reason);
  return { balancing: 'next scan' };
}

export interface CommandHandler {
  readonly name: string;
  readonly run: Handler;
  /**
   * Home Assistant's plain payload (`PRESS`, `ON`/`OFF`, a number) read into the handler's fields,
   * or a BAD_REQUEST. Such a command carries no token: HA cannot keep one out of its retained
   * discovery config, so the broker's ACL decides who may publish it (deploy/mosquitto.acl).
   * Absent = a JSON command with its token.
   */
  readonly parse?: (payload: string) => Record<string, unknown>;
}

/** What each command does with its fields, for the handlers of other topics (Home Assistant's). */
export const COMMAND_RUNS = Object.freeze({
  configSet: setConfig,
  faultsAck: acknowledgeFaults,
  restart,
  balanceNow,
});

/** A refusal of a malformed payload, as the answer's BAD_REQUEST. */
export function badCommandPayload(message: string): Error {
  return badRequest(message);
}

/** The command topics this module answers, with their handlers. */
export function commandHandlers(topics: MqttTopics): ReadonlyMap<string, CommandHandler> {
  return new Map([
    [topics.configSet, { name: 'config/set', run: setConfig }],
    [topics.faultsAck, { name: 'faults/ack', run: acknowledgeFaults }],
    [topics.restart, { name: 'restart', run: restart }],
    [topics.balance, { name: 'balance', run: balanceNow }],
  ]);
}

/**
 * Runs one command message: parse, authorise (the token; a Home Assistant control is the broker's
 * to authorise), run. Never rejects: malformed input, a wrong token,
 * a rejected config or a core that is restarting all become an `ok: false` answer, and nothing
 * unauthorised or invalid reaches the config file.
 */
export async function runCommand(
  handler: CommandHandler,
  payload: string,
  context: CommandContext,
  authorisation: CommandAuthorisation | null,
): Promise<CommandResponse> {
  let id: CommandId = null;
  try {
    if (handler.parse !== undefined) {
      return { id, command: handler.name, ok: true, ...handler.run(handler.parse(payload), context) };
    }
    if (authorisation === null) throw new CommandRefused('UNAUTHORIZED', 'commands are off');
    const body = parseBody(payload);
    id = idOf(body);
    await authorise(body['token'], authorisation);
    const fields = Object.fromEntries(
      Object.entries(body).filter(([key]) => key !== 'id' && key !== 'token'),
    );
    return { id, command: handler.name, ok: true, ...handler.run(fields, context) };
  } catch (error) {
    return { id, command: handler.name, ok: false, error: commandError(error) };
  }
}
