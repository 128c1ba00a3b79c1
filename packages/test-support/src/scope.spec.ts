import { spawn } from 'node:child_process';
import { Arrivals } from './arrivals';
import { eventually } from './eventually';
import { Scope, scoped, stopProcess } from './scope';

describe('Scope', () => {
  it('runs its cleanups in reverse order of registration', async () => {
    const order: string[] = [];
    const scope = new Scope();
    scope.add(async () => void order.push('first'));
    scope.add(async () => void order.push('second'));
    await scope.close();
    expect(order).toEqual(['second', 'first']);
  });

  it('closes the scope of a test body that fails', async () => {
    let closed = false;
    const body = scoped(async (scope) => {
      scope.add(async () => void (closed = true));
      throw new Error('the test failed');
    });
    await expect(body()).rejects.toThrow('the test failed');
    expect(closed).toBe(true);
  });
});

describe('stopProcess', () => {
  it('stops a running child and resolves once it has exited', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    await new Promise((resolve) => child.once('spawn', resolve));
    await stopProcess(child);
    expect(child.signalCode).toBe('SIGTERM');
  });

  it('resolves at once for a child that has already exited', async () => {
    const child = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => child.once('exit', resolve));
    await expect(stopProcess(child)).resolves.toBeUndefined();
  });
});

describe('eventually', () => {
  it('fails with the description when the condition never holds', async () => {
    await expect(
      eventually(
        () => false,
        () => 'nothing arrived',
        30,
      ),
    ).rejects.toThrow('condition not met within 30 ms: nothing arrived');
  });
});

describe('Arrivals', () => {
  it('finds an item that arrives after the wait began', async () => {
    const arrivals = new Arrivals<{ n: number }>('number', (arrived) => JSON.stringify(arrived));
    const found = arrivals.waitFor((item) => item.n === 2, 0, 5000);
    arrivals.push({ n: 1 });
    arrivals.push({ n: 2 });
    await expect(found).resolves.toEqual({ n: 2, index: 1 });
  });

  it('looks only from the given index on, and names what did arrive when nothing matches', async () => {
    const arrivals = new Arrivals<{ n: number }>('number', (arrived) => JSON.stringify(arrived));
    arrivals.push({ n: 2 });
    arrivals.push({ n: 3 });
    await expect(arrivals.waitFor((item) => item.n === 2, 1, 20)).rejects.toThrow(
      'no matching number within 20 ms:\n[{"n":3}]',
    );
  });
});
