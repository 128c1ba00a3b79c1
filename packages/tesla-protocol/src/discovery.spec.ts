import { ManualClock } from '@tsbms/hal';
import { ScriptedLink } from '@tsbms/hal/testing';
import { TeslaBus } from './bus';
import { discoverModules } from './discovery';
import { createFakeModuleLoop } from './testing/fake-module-loop';

async function runToEnd<T>(clock: ManualClock, promise: Promise<T>): Promise<T> {
  let done = false;
  const settled = promise.finally(() => (done = true));
  settled.catch(() => undefined);
  // Bounded: discovery must finish within virtual time, never hang.
  for (let i = 0; i < 10_000 && !done; i++) await clock.advanceByMs(10);
  expect(done).toBe(true);
  return settled;
}

describe('discoverModules', () => {
  it('probes 1..N and renumbers nothing when all answer (T-14)', async () => {
    const clock = new ManualClock();
    const { link } = createFakeModuleLoop(clock, 3);
    const bus = new TeslaBus(link, { clock });
    const result = await runToEnd(clock, discoverModules(bus, { clock, expectedCount: 3 }));
    expect(result).toEqual({
      addresses: [1, 2, 3],
      renumbered: false,
      end: 'allAnswered',
    });
    expect(link.writes).toHaveLength(3);
    expect(link.writes.every((w) => w[1] === 0x00 && w[2] === 1)).toBe(true);
  });

  it('renumbers unaddressed modules in chain order, verifying each by read-back (T-15)', async () => {
    const clock = new ManualClock();
    const { link, modules } = createFakeModuleLoop(clock, 3, {
      addressed: false,
    });
    const bus = new TeslaBus(link, { clock });
    const result = await runToEnd(clock, discoverModules(bus, { clock, expectedCount: 3 }));
    expect(result).toEqual({
      addresses: [1, 2, 3],
      renumbered: true,
      end: 'chainEnd',
    });
    expect(modules.map((m) => m.address)).toEqual([1, 2, 3]);
    const wire = link.writes.map((w) => Array.from(w));
    // Probe of address 1 is blocked by the unaddressed first module: 3 silent attempts.
    expect(wire.slice(0, 3)).toEqual([
      [0x02, 0x00, 0x01, 0xd1],
      [0x02, 0x00, 0x01, 0xd1],
      [0x02, 0x00, 0x01, 0xd1],
    ]);
    expect(wire[3]).toEqual([0x7f, 0x3c, 0xa5, 0x57]);
    expect(wire.slice(4, 7)).toEqual([
      [0x00, 0x00, 0x01, 0x07],
      [0x01, 0x3b, 0x81, 0x8b],
      [0x02, 0x3b, 0x01, 0xbf],
    ]);
  });

  it('renumbers when only some expected modules answer and reports the number found (T-16)', async () => {
    const clock = new ManualClock();
    const { link, modules } = createFakeModuleLoop(clock, 2);
    modules[1].address = 7; // a module from another pack
    const bus = new TeslaBus(link, { clock });
    const result = await runToEnd(clock, discoverModules(bus, { clock, expectedCount: 4 }));
    expect(result).toEqual({
      addresses: [1, 2],
      renumbered: true,
      end: 'chainEnd',
    });
    expect(modules.map((m) => m.address)).toEqual([1, 2]);
  });

  it('waits 100 ms after the reset before addressing', async () => {
    const clock = new ManualClock();
    const { link } = createFakeModuleLoop(clock, 1, { addressed: false });
    const bus = new TeslaBus(link, { clock, replyTimeoutMs: 100 });
    const started = discoverModules(bus, { clock, expectedCount: 0 });
    await clock.advanceByMs(99);
    expect(link.writes.map((w) => w[0])).toEqual([0x7f]);
    await clock.advanceByMs(1);
    expect(link.writes.map((w) => w[0]).slice(0, 2)).toEqual([0x7f, 0x00]);
    await expect(runToEnd(clock, started)).resolves.toMatchObject({
      addresses: [1],
    });
  });

  it('stops at address 62', async () => {
    const clock = new ManualClock();
    const { link } = createFakeModuleLoop(clock, 63, { addressed: false });
    const bus = new TeslaBus(link, { clock });
    const result = await runToEnd(clock, discoverModules(bus, { clock, expectedCount: 62 }));
    expect(result.end).toBe('maxAddress');
    expect(result.addresses).toHaveLength(62);
    expect(result.addresses[61]).toBe(62);
  });

  it('throws when the reset echo is never exactly 7F 3C A5 57 (3 tries)', async () => {
    const clock = new ManualClock();
    const { link, modules } = createFakeModuleLoop(clock, 1, {
      addressed: false,
      tamper: (written, reply) => (written[0] === 0x7f && reply ? [0x7f, 0x3c, 0xa5, 0x56] : reply),
    });
    const bus = new TeslaBus(link, { clock });
    await expect(runToEnd(clock, discoverModules(bus, { clock, expectedCount: 1 }))).rejects.toMatchObject({
      code: 'ECHO_MISMATCH',
      address: 0x3f,
      register: 0x3c,
    });
    expect(link.writes.filter((w) => w[0] === 0x7f)).toHaveLength(3);
    expect(modules[0].address).toBe(0);
  });

  it('returns what it found when a read-back fails verification', async () => {
    const clock = new ManualClock();
    const { link, modules } = createFakeModuleLoop(clock, 2, {
      addressed: false,
    });
    const read = modules[1].read.bind(modules[1]);
    // The second module answers at its new address but reports another one in ADDRESS_CONTROL.
    modules[1].read = (request) => (request.register === 0x3b ? [0x85] : read(request));
    const bus = new TeslaBus(link, { clock });
    const result = await runToEnd(clock, discoverModules(bus, { clock, expectedCount: 2 }));
    expect(result.addresses).toEqual([1]);
    expect(result.end).toBe('error');
    expect(result.error).toMatchObject({
      code: 'VERIFY_FAILED',
      address: 2,
      register: 0x3b,
    });
  });

  it('never hangs on a silent loop: the reset broadcast times out', async () => {
    const clock = new ManualClock();
    const link = new ScriptedLink({ clock, unmatched: 'silent' });
    const bus = new TeslaBus(link, { clock });
    await expect(runToEnd(clock, discoverModules(bus, { clock, expectedCount: 2 }))).rejects.toMatchObject({
      code: 'TIMEOUT',
    });
    // 3 probes of 40 ms and 3 reset attempts of 100 ms.
    expect(clock.now()).toBeLessThanOrEqual(3 * 40 + 3 * 100 + 10);
  });

  it('throws LINK_CLOSED on a closed link', async () => {
    const clock = new ManualClock();
    const { link } = createFakeModuleLoop(clock, 2);
    const bus = new TeslaBus(link, { clock });
    link.disconnect();
    await expect(runToEnd(clock, discoverModules(bus, { clock, expectedCount: 2 }))).rejects.toMatchObject({
      code: 'LINK_CLOSED',
    });
  });
});
