import { filter } from 'rxjs';
import { LinkError, type ByteLink, type LinkEvent } from '../byte-link';
import {
  check,
  checkBytes,
  checkEqual,
  checkErrorCode,
  Collected,
  concatBytes,
  isPlainUint8Array,
  patternBytes,
  rejectionOf,
  settlesWithin,
} from './contract-checks';
import { defineContractCases, describeContract, type ContractCase, type MakeContractEnds } from './contract';

/** Two open ends of one connection: what `a` writes `b` receives, and the other way round. */
export interface ByteLinkPair {
  readonly a: ByteLink;
  readonly b: ByteLink;
  /**
   * The connection between the ends vanishes, as when socat exits or a USB adapter is unplugged.
   * Resolves once it is gone; the ends may notice a little later.
   */
  disconnect(): Promise<void>;
}

type Case = ContractCase<ByteLinkPair>;

/** Receives on `link` from now on; `count` is in bytes. */
function receiving(link: ByteLink): Collected<Uint8Array> {
  return new Collected(link.data$, (chunk) => chunk.length);
}

/** Waits for `expected.length` bytes in total and compares everything received so far. */
async function checkReceived(
  received: Collected<Uint8Array>,
  expected: Uint8Array,
  where: string,
): Promise<void> {
  const chunks = await received.waitForCount(expected.length, `${expected.length} bytes at ${where}`);
  checkBytes(concatBytes(chunks), expected, `bytes received at ${where}`);
}

/** Writes the chunks one after the other, each write awaited (bounded). */
async function writeAll(link: ByteLink, chunks: readonly Uint8Array[], who: string): Promise<void> {
  for (const [index, chunk] of chunks.entries()) {
    await settlesWithin(link.write(chunk), `${who}.write() #${index + 1} (${chunk.length} bytes)`);
  }
}

function closeEvents(link: ByteLink): Collected<Extract<LinkEvent, { type: 'close' }>> {
  return new Collected(link.events$.pipe(filter((event) => event.type === 'close')));
}

const cases: Case[] = [
  {
    name: 'write() resolves and the bytes arrive at the other end complete and in order, both ways at once',
    async run({ a, b }) {
      const atA = receiving(a);
      const atB = receiving(b);
      const fromA = [1, 64, 1500, 3, 2048].map((length, seed) => patternBytes(length, seed));
      const fromB = [5, 700, 1].map((length, seed) => patternBytes(length, 10 + seed));
      await Promise.all([writeAll(a, fromA, 'a'), writeAll(b, fromB, 'b')]);
      await checkReceived(atB, concatBytes(fromA), 'b');
      await checkReceived(atA, concatBytes(fromB), 'a');
    },
  },
  {
    name: 'an empty write() resolves, and data$ delivers only non-empty plain Uint8Array chunks (not Buffers)',
    async run({ a, b }) {
      const atB = receiving(b);
      await writeAll(a, [new Uint8Array(0), Uint8Array.of(1, 2, 3)], 'a');
      await checkReceived(atB, Uint8Array.of(1, 2, 3), 'b');
      for (const chunk of atB.items) {
        check(isPlainUint8Array(chunk), `data$ delivered a ${chunk.constructor.name}, not a Uint8Array`);
        check(chunk.length > 0, 'data$ delivered an empty chunk');
      }
    },
  },
  {
    name: 'never echoes: an end does not receive what it wrote itself',
    async run({ a, b }) {
      // An echo would arrive before the other end's answer, which is only written after it received.
      const atA = receiving(a);
      const atB = receiving(b);
      const first = Uint8Array.of(0x11, 0x22, 0x33);
      const answer = Uint8Array.of(0x44, 0x55);
      const last = Uint8Array.of(0x66);
      await writeAll(a, [first], 'a');
      await checkReceived(atB, first, 'b');
      await writeAll(b, [answer], 'b');
      await checkReceived(atA, answer, 'a (its own bytes must not come back)');
      await writeAll(a, [last], 'a');
      await checkReceived(atB, concatBytes([first, last]), 'b (its own bytes must not come back)');
    },
  },
  {
    name: 'write() copies the bytes: the writer may reuse its buffer as soon as write() returns',
    async run({ a, b }) {
      const atB = receiving(b);
      const buffer = Uint8Array.of(1, 2, 3, 4);
      const writing = a.write(buffer);
      buffer.fill(0xee);
      await settlesWithin(writing, 'a.write()');
      await checkReceived(atB, Uint8Array.of(1, 2, 3, 4), 'b');
    },
  },
  {
    name: 'delivers asynchronously: nothing arrives at the other end inside write()',
    async run({ a, b }) {
      const atB = receiving(b);
      const writing = a.write(Uint8Array.of(9, 8, 7));
      checkEqual(atB.count, 0, 'bytes at b before write() returned to the event loop');
      await settlesWithin(writing, 'a.write()');
      await checkReceived(atB, Uint8Array.of(9, 8, 7), 'b');
    },
  },
  {
    name: 'close() ends the link for good: isOpen false, one close on events$, events$ and data$ completed when it resolves',
    async run({ a }) {
      check(a.isOpen, 'a is not open before close()');
      const events = new Collected(a.events$);
      const data = receiving(a);
      await settlesWithin(a.close(), 'a.close()');
      check(!a.isOpen, 'isOpen is still true after close() resolved');
      checkEqual(events.items.filter((event) => event.type === 'close').length, 1, 'close events on events$');
      check(events.completed, 'events$ had not completed when close() resolved');
      check(data.completed, 'data$ had not completed when close() resolved');
    },
  },
  {
    name: 'close() is idempotent: further calls, at once or later, resolve and report nothing more',
    async run({ a }) {
      const closes = closeEvents(a);
      await settlesWithin(Promise.all([a.close(), a.close()]), 'two concurrent a.close()');
      await settlesWithin(a.close(), 'a third a.close()');
      checkEqual(closes.count, 1, 'close events on events$');
      check(!a.isOpen, 'isOpen is true after close()');
    },
  },
  {
    name: 'write() after close() rejects with a LinkError LINK_CLOSED',
    async run({ a }) {
      await settlesWithin(a.close(), 'a.close()');
      const error = await rejectionOf(a.write(Uint8Array.of(1)), 'a.write() after close()');
      checkErrorCode(error, LinkError, 'LINK_CLOSED', 'a.write() after close()');
    },
  },
  {
    name: 'closing one end leaves the other open: it reports no close and its writes still resolve',
    async run({ a, b }) {
      const closesAtB = closeEvents(b);
      const atB = receiving(b);
      await settlesWithin(a.close(), 'a.close()');
      await writeAll(b, [Uint8Array.of(1, 2, 3)], 'b (its peer closed)');
      check(b.isOpen, 'b.isOpen turned false when a was closed');
      checkEqual(closesAtB.count, 0, 'close events at b');
      check(!atB.completed, "b's data$ completed when a was closed");
    },
  },
  {
    name: 'losing the connection closes both ends: a close event each, isOpen false, writes reject LINK_CLOSED',
    async run({ a, b, disconnect }) {
      const closesAtA = closeEvents(a);
      const closesAtB = closeEvents(b);
      await settlesWithin(disconnect(), 'disconnect()');
      await closesAtA.waitForCount(1, 'close event at a');
      await closesAtB.waitForCount(1, 'close event at b');
      for (const [who, link] of [
        ['a', a],
        ['b', b],
      ] as const) {
        check(!link.isOpen, `${who}.isOpen is still true after its close event`);
        const error = await rejectionOf(link.write(Uint8Array.of(1)), `${who}.write() after the loss`);
        checkErrorCode(error, LinkError, 'LINK_CLOSED', `${who}.write() after the loss`);
      }
    },
  },
];

/**
 * What every {@link ByteLink} does, as the serial port over a pseudo-terminal pair does it. Each
 * case gets a fresh, open {@link ByteLinkPair}.
 */
export const byteLinkContractCases: readonly Case[] = defineContractCases(cases);

/**
 * Defines a Jest `describe` that runs {@link byteLinkContractCases} against the pairs `makePair`
 * gives (one fresh pair per case, torn down after it). Call it at the top level of a spec file.
 */
export function byteLinkContract(name: string, makePair: MakeContractEnds<ByteLinkPair>): void {
  describeContract(`ByteLink contract: ${name}`, byteLinkContractCases, makePair);
}
