import { FailedAttemptThrottle, hashSecret, parseSecretHash } from '@tsbms/credentials';
import type { Clock } from '@tsbms/hal';
import {
  commandHandlers,
  runCommand,
  type CommandAuthorisation,
  type CommandContext,
  type CommandError,
  type CommandHandler,
  type CommandResponse,
} from '../commands';
import { mqttTopics, type MqttTopics } from '../topics';

/** The command token of the tests. */
export const TEST_COMMAND_TOKEN = 'correct horse battery staple';

/** Cheap scrypt parameters: the check is the same, the tests stay fast. */
const CHEAP_SCRYPT = { n: 1024, r: 8, p: 1 };

/** `mqtt.commands` switched on, with TEST_COMMAND_TOKEN's hash. */
export function testCommandsSection(): { enabled: true; tokenHash: string } {
  return { enabled: true, tokenHash: hashSecret(TEST_COMMAND_TOKEN, CHEAP_SCRYPT) };
}

/** A command message: `body` with TEST_COMMAND_TOKEN. */
export function testCommand(body: Record<string, unknown>): string {
  return JSON.stringify({ token: TEST_COMMAND_TOKEN, ...body });
}

/**
 * Runs command messages as the output does once they arrived on their topics under `prefix`,
 * without a broker: authorised against TEST_COMMAND_TOKEN, with a back-off on `clock`.
 */
export class TestCommandRunner {
  readonly topics: MqttTopics;
  readonly authorisation: CommandAuthorisation;
  private readonly handlers: ReadonlyMap<string, CommandHandler>;

  constructor(
    private readonly context: CommandContext,
    clock: Clock,
    prefix = 'tsbms',
  ) {
    this.topics = mqttTopics(prefix);
    this.handlers = commandHandlers(this.topics);
    this.authorisation = {
      tokenHash: parseSecretHash(hashSecret(TEST_COMMAND_TOKEN, CHEAP_SCRYPT)),
      throttle: new FailedAttemptThrottle(clock),
    };
  }

  /** A message on `topic`: `payload` as it is, or a body sent with the right token unless it names one. */
  send(topic: string, payload: Record<string, unknown> | string): Promise<CommandResponse> {
    const handler = this.handlers.get(topic);
    if (handler === undefined) throw new Error(`no handler for ${topic}`);
    const message = typeof payload === 'string' ? payload : testCommand(payload);
    return runCommand(handler, message, this.context, this.authorisation);
  }
}

/** The error of a refused command; throws when the command was accepted. */
export function commandErrorOf(response: CommandResponse): CommandError {
  if (response.ok) throw new Error(`accepted: ${JSON.stringify(response)}`);
  return response.error;
}
