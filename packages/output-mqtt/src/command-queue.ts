import { commandIdOf, type CommandHandler, type CommandResponse } from './commands';

/** One command waiting its turn. */
export interface QueuedCommand {
  readonly handler: CommandHandler;
  readonly payload: string;
}

/** Commands waiting behind the one being run; beyond this a flood is answered BUSY, not queued. */
export const MAX_WAITING_COMMANDS = 16;

/**
 * Runs commands one at a time, in arrival order (each checks a token with scrypt, and a config
 * change must see the one before it). Every command gets an answer: BUSY when too many wait,
 * UNAVAILABLE for those still waiting when the output closes (a restart), never silence.
 */
export class CommandQueue {
  private readonly waiting: QueuedCommand[] = [];
  /** The command being run, until it has been answered. */
  private running: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly run: (command: QueuedCommand) => Promise<CommandResponse>,
    private readonly answer: (response: CommandResponse) => void,
    private readonly limit = MAX_WAITING_COMMANDS,
  ) {}

  offer(command: QueuedCommand): void {
    if (this.closed)
      return this.refuse(command, 'UNAVAILABLE', 'the controller is restarting: send it again');
    if (this.waiting.length >= this.limit) {
      return this.refuse(command, 'BUSY', `${this.limit} commands are waiting already: send fewer`);
    }
    this.waiting.push(command);
    this.running ??= this.drain();
  }

  /**
   * Refuses what still waits (the output stops); resolves once the command being run has been
   * answered too, so the output can close its connection after the last answer.
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const command of this.waiting.splice(0)) {
      this.refuse(command, 'UNAVAILABLE', 'the controller is restarting: send it again');
    }
    await this.running;
  }

  private async drain(): Promise<void> {
    for (let next = this.waiting.shift(); next !== undefined; next = this.waiting.shift()) {
      this.answer(await this.run(next));
    }
    this.running = null;
  }

  private refuse(command: QueuedCommand, code: string, message: string): void {
    this.answer({
      id: commandIdOf(command.payload),
      command: command.handler.name,
      ok: false,
      error: { code, message },
    });
  }
}
