import { CommandQueue, type QueuedCommand } from './command-queue';
import type { CommandResponse } from './commands';

const restart = { name: 'restart', run: () => ({}) };
const command = (id: number): QueuedCommand => ({ handler: restart, payload: JSON.stringify({ id }) });

/** A runner whose commands finish when the test says so, recording how many run at once. */
function controlledRunner() {
  const finish: (() => void)[] = [];
  const started: number[] = [];
  let running = 0;
  let mostAtOnce = 0;
  const run = (queued: QueuedCommand) =>
    new Promise<CommandResponse>((resolve) => {
      const { id } = JSON.parse(queued.payload) as { id: number };
      started.push(id);
      running += 1;
      mostAtOnce = Math.max(mostAtOnce, running);
      finish.push(() => {
        running -= 1;
        resolve({ id, command: 'restart', ok: true });
      });
    });
  return { run, finish, started, mostAtOnce: () => mostAtOnce };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('CommandQueue', () => {
  it('runs commands one at a time in arrival order and answers each', async () => {
    const runner = controlledRunner();
    const answers: CommandResponse[] = [];
    const queue = new CommandQueue(runner.run, (response) => answers.push(response), 4);
    [1, 2, 3].forEach((id) => queue.offer(command(id)));
    for (let i = 0; i < 3; i += 1) {
      await flush();
      runner.finish[i]();
    }
    await flush();
    expect(runner.started).toEqual([1, 2, 3]);
    expect(runner.mostAtOnce()).toBe(1);
    expect(answers.map((a) => a.id)).toEqual([1, 2, 3]);
  });

  it('answers BUSY, with the id, when the waiting line is full; nothing goes unanswered', async () => {
    const runner = controlledRunner();
    const answers: CommandResponse[] = [];
    const queue = new CommandQueue(runner.run, (response) => answers.push(response), 2);
    [1, 2, 3, 4].forEach((id) => queue.offer(command(id)));
    // 1 runs, 2 and 3 wait, 4 is refused at once.
    expect(answers).toEqual([
      {
        id: 4,
        command: 'restart',
        ok: false,
        error: { code: 'BUSY', message: '2 commands are waiting already: send fewer' },
      },
    ]);
  });

  it('close() answers the waiting ones UNAVAILABLE and refuses later ones; the running one finishes', async () => {
    const runner = controlledRunner();
    const answers: CommandResponse[] = [];
    const queue = new CommandQueue(runner.run, (response) => answers.push(response), 4);
    [1, 2, 3].forEach((id) => queue.offer(command(id)));
    await flush();
    let closed = false;
    void queue.close().then(() => (closed = true));
    queue.offer(command(4));
    await flush();
    expect(closed).toBe(false);
    runner.finish[0]();
    await flush();
    expect(closed).toBe(true);
    expect(runner.started).toEqual([1]);
    expect(answers.map((a) => [a.id, a.ok ? 'ok' : a.error.code])).toEqual([
      [2, 'UNAVAILABLE'],
      [3, 'UNAVAILABLE'],
      [4, 'UNAVAILABLE'],
      [1, 'ok'],
    ]);
  });
});
