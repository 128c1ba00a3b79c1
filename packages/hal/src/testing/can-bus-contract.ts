import { filter } from 'rxjs';
import { CanBusError, MAX_CAN_ID, type CanBus, type CanFrame } from '../can-bus';
import {
  check,
  checkEqual,
  checkErrorCode,
  Collected,
  isPlainUint8Array,
  rejectionOf,
  settlesWithin,
} from './contract-checks';
import {
  defineContractCases,
  describeContract,
  describeContractResults,
  type ContractCase,
  type ContractCaseResult,
  type MakeContractEnds,
} from './contract';

/** Two open nodes on one CAN bus. */
export interface CanBusNodes {
  readonly a: CanBus;
  readonly b: CanBus;
}

type Case = ContractCase<CanBusNodes>;

/** candump's text of a frame (`351#EC01E803`), so failures read like a bus log. */
function canFrameText(frame: CanFrame): string {
  const data = Array.from(frame.data, (byte) => byte.toString(16).toUpperCase().padStart(2, '0')).join('');
  return `${frame.id.toString(16).toUpperCase().padStart(3, '0')}#${data}`;
}

function frame(id: number, bytes: readonly number[]): CanFrame {
  return { id, data: Uint8Array.from(bytes) };
}

/** Sends the frames one after the other, each send awaited (bounded). */
async function sendAll(node: CanBus, frames: readonly CanFrame[], who: string): Promise<void> {
  for (const sent of frames) {
    await settlesWithin(node.send(sent), `${who}.send(${canFrameText(sent)})`);
  }
}

/** Waits for as many frames as expected and compares everything received so far, as candump text. */
async function checkReceived(
  received: Collected<CanFrame>,
  expected: readonly CanFrame[],
  where: string,
): Promise<void> {
  const frames = await received.waitForCount(expected.length, `${expected.length} frame(s) at ${where}`);
  checkEqual(frames.map(canFrameText), expected.map(canFrameText), `frames received at ${where}`);
}

/** A valid frame sent after invalid ones: once it has arrived, anything sent before it has too. */
const MARKER = frame(0x2aa, [0x5a]);

const cases: Case[] = [
  {
    name: 'send() resolves and the frame arrives at the other node with the same id and data, in order, both ways',
    async run({ a, b }) {
      const atA = new Collected(a.frames$);
      const atB = new Collected(b.frames$);
      const fromA = [
        frame(0x351, [0xec, 0x01, 0xe8, 0x03, 0xe8, 0x03, 0xb0, 0x01]),
        frame(0x000, []),
        frame(MAX_CAN_ID, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
        frame(0x123, [0x00, 0x80, 0x7f]),
      ];
      const fromB = [frame(0x305, [1, 2, 3, 4, 5, 6, 7, 8]), frame(0x001, [0])];
      await Promise.all([sendAll(a, fromA, 'a'), sendAll(b, fromB, 'b')]);
      await checkReceived(atB, fromA, 'b');
      await checkReceived(atA, fromB, 'a');
    },
  },
  {
    name: 'never echoes: a node does not receive the frames it sent itself',
    async run({ a, b }) {
      // An echo would arrive before the other node's answer, which is only sent after it received.
      const atA = new Collected(a.frames$);
      const atB = new Collected(b.frames$);
      const first = frame(0x351, [1, 2]);
      const answer = frame(0x305, [3]);
      const last = frame(0x35e, [4]);
      await sendAll(a, [first], 'a');
      await checkReceived(atB, [first], 'b');
      await sendAll(b, [answer], 'b');
      await checkReceived(atA, [answer], 'a (its own frame must not come back)');
      await sendAll(a, [last], 'a');
      await checkReceived(atB, [first, last], 'b (its own frame must not come back)');
    },
  },
  {
    name: 'received frames are frozen, with the data as a plain Uint8Array (not a Buffer)',
    async run({ a, b }) {
      const atB = new Collected(b.frames$);
      await sendAll(a, [frame(0x356, [0x10, 0x20])], 'a');
      const [received] = await atB.waitForCount(1, 'a frame at b');
      check(Object.isFrozen(received), 'the received frame is not frozen');
      check(
        isPlainUint8Array(received.data),
        `the received data is a ${received.data.constructor.name}, not a Uint8Array`,
      );
    },
  },
  {
    name: 'send() copies the data: the sender may reuse its buffer as soon as send() returns',
    async run({ a, b }) {
      const atB = new Collected(b.frames$);
      const data = Uint8Array.of(1, 2, 3, 4);
      const sending = a.send({ id: 0x351, data });
      data.fill(0xee);
      await settlesWithin(sending, 'a.send()');
      await checkReceived(atB, [frame(0x351, [1, 2, 3, 4])], 'b');
    },
  },
  {
    name: 'delivers asynchronously: nothing arrives at the other node inside send()',
    async run({ a, b }) {
      const atB = new Collected(b.frames$);
      const sending = a.send(frame(0x351, [7]));
      checkEqual(atB.count, 0, 'frames at b before send() returned to the event loop');
      await settlesWithin(sending, 'a.send()');
      await checkReceived(atB, [frame(0x351, [7])], 'b');
    },
  },
  {
    name: `rejects an id outside 0x000..0x${MAX_CAN_ID.toString(16)} with a CanBusError INVALID_FRAME naming it, and puts nothing on the bus`,
    async run({ a, b }) {
      const atB = new Collected(b.frames$);
      for (const id of [MAX_CAN_ID + 1, 0x751, 0x7ff, 0x18ff50e5, -1, 1.5]) {
        const what = `a.send() of id ${id}`;
        const error = await rejectionOf(a.send({ id, data: new Uint8Array(8) }), what);
        checkErrorCode(error, CanBusError, 'INVALID_FRAME', what);
        checkEqual((error as CanBusError).context.canId, id, `${what}: context.canId`);
      }
      await sendAll(a, [MARKER], 'a');
      await checkReceived(atB, [MARKER], 'b (only the valid frame sent after the invalid ones)');
    },
  },
  {
    name: 'rejects more than 8 data bytes with a CanBusError INVALID_FRAME, and puts nothing on the bus',
    async run({ a, b }) {
      const atB = new Collected(b.frames$);
      for (const length of [9, 64]) {
        const what = `a.send() of ${length} data bytes`;
        const error = await rejectionOf(a.send({ id: 0x351, data: new Uint8Array(length) }), what);
        checkErrorCode(error, CanBusError, 'INVALID_FRAME', what);
      }
      await sendAll(a, [MARKER], 'a');
      await checkReceived(atB, [MARKER], 'b (only the valid frame sent after the invalid ones)');
    },
  },
  {
    name: 'checks the frame first: an invalid frame on a closed node is INVALID_FRAME, not BUS_CLOSED',
    async run({ a }) {
      await settlesWithin(a.close(), 'a.close()');
      const what = 'a.send() of id 0x400 after close()';
      const error = await rejectionOf(a.send({ id: MAX_CAN_ID + 1, data: new Uint8Array(1) }), what);
      checkErrorCode(error, CanBusError, 'INVALID_FRAME', what);
    },
  },
  {
    name: 'send() after close() rejects with a CanBusError BUS_CLOSED',
    async run({ a }) {
      await settlesWithin(a.close(), 'a.close()');
      const what = 'a.send() after close()';
      const error = await rejectionOf(a.send(frame(0x351, [1])), what);
      checkErrorCode(error, CanBusError, 'BUS_CLOSED', what);
    },
  },
  {
    name: 'close() ends the node for good: isOpen false, one close on events$, events$ and frames$ completed when it resolves',
    async run({ a }) {
      check(a.isOpen, 'a is not open before close()');
      const events = new Collected(a.events$);
      const frames = new Collected(a.frames$);
      await settlesWithin(a.close(), 'a.close()');
      check(!a.isOpen, 'isOpen is still true after close() resolved');
      checkEqual(events.items.filter((event) => event.type === 'close').length, 1, 'close events on events$');
      check(events.completed, 'events$ had not completed when close() resolved');
      check(frames.completed, 'frames$ had not completed when close() resolved');
    },
  },
  {
    name: 'close() is idempotent: further calls, at once or later, resolve and report nothing more',
    async run({ a }) {
      const closes = new Collected(a.events$.pipe(filter((event) => event.type === 'close')));
      await settlesWithin(Promise.all([a.close(), a.close()]), 'two concurrent a.close()');
      await settlesWithin(a.close(), 'a third a.close()');
      checkEqual(closes.count, 1, 'close events on events$');
      check(!a.isOpen, 'isOpen is true after close()');
    },
  },
  {
    name: 'closing one node leaves the other open: it reports no close and its sends still resolve',
    async run({ a, b }) {
      const closesAtB = new Collected(b.events$.pipe(filter((event) => event.type === 'close')));
      const atB = new Collected(b.frames$);
      await settlesWithin(a.close(), 'a.close()');
      await sendAll(b, [frame(0x351, [1])], 'b (the other node closed)');
      check(b.isOpen, 'b.isOpen turned false when a was closed');
      checkEqual(closesAtB.count, 0, 'close events at b');
      check(!atB.completed, "b's frames$ completed when a was closed");
    },
  },
];

/**
 * What every {@link CanBus} does, as SocketCAN on vcan0 does it. Each case gets two fresh, open
 * nodes on one bus.
 */
export const canBusContractCases: readonly Case[] = defineContractCases(cases);

/**
 * Defines a Jest `describe` that runs {@link canBusContractCases} against the nodes `makeBuses`
 * gives (fresh ones per case, torn down after it). Call it at the top level of a spec file.
 */
export function canBusContract(name: string, makeBuses: MakeContractEnds<CanBusNodes>): void {
  describeContract(`CanBus contract: ${name}`, canBusContractCases, makeBuses);
}

/**
 * For a bus that exists only elsewhere (vcan0 inside user-mode Linux): there the cases run with
 * `runContractCases(canBusContractCases, …)`; this defines one Jest test per case that passes when
 * `results()` reports it passed.
 */
export function canBusContractResults(
  name: string,
  results: () => readonly ContractCaseResult[] | undefined,
): void {
  describeContractResults(`CanBus contract: ${name}`, canBusContractCases, results);
}
