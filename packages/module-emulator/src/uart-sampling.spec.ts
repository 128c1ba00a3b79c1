import fc from 'fast-check';
import { ManualClock } from '@tsbms/hal';
import { Register, TeslaBus } from '@tsbms/tesla-protocol';
import { EmulatedChain } from './emulated-chain';
import { rateMismatchedLink } from './rate-mismatched-link';
import { receiveAtRate } from './uart-sampling';

const BOARD_BAUD = 612_500;
const bytesOf = (...values: number[]) => Uint8Array.from(values);

describe('receiveAtRate: a UART sampling a burst sent at another rate', () => {
  it('the same rate: every byte as sent, no framing error (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        fc.integer({ min: 1200, max: 3_000_000 }),
        (sent, baud) => {
          const received = receiveAtRate(sent, { sentBaud: baud, receivedBaud: baud });
          expect([...received.bytes]).toEqual([...sent]);
          expect(received.framingErrors).toBe(0);
        },
      ),
    );
  });

  it('within 4 % (the rates adapters round 612500 to): every byte as sent (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        fc.double({ min: -0.04, max: 0.04, noNaN: true }),
        (sent, off) => {
          const received = receiveAtRate(sent, {
            sentBaud: BOARD_BAUD,
            receivedBaud: BOARD_BAUD * (1 + off),
          });
          expect([...received.bytes]).toEqual([...sent]);
          expect(received.framingErrors).toBe(0);
        },
      ),
    );
  });

  it('6 % slow (an adapter whose nearest rate to 612500 is 576000): bytes garbled, framing errors', () => {
    // A read of DEVICE_STATUS at module 1 with its CRC (T-3), and 0xFF: all data bits high.
    const sent = bytesOf(0x02, 0x00, 0x01, 0x6c, 0xff);
    const received = receiveAtRate(sent, { sentBaud: BOARD_BAUD, receivedBaud: 576_000 });
    expect([...received.bytes]).not.toEqual([...sent]);
    expect(received.framingErrors).toBeGreaterThan(0);
  });

  it('a byte alone: the receiver samples the middle of its own bits (fixtures)', () => {
    // 0x55 = data bits 1,0,1,0,…: at half the rate the receiver sees every second sent bit.
    expect([...receiveAtRate(bytesOf(0x55), { sentBaud: 1000, receivedBaud: 1000 }).bytes]).toEqual([0x55]);
    // Sent at half the receiver's rate, its sample k lands on sent bit floor((k + 0.5) / 2):
    // 0x0F (start, 1111, 0000, stop) becomes two bytes, 0xFE and then 0x80 from the low nibble.
    expect([...receiveAtRate(bytesOf(0x0f), { sentBaud: 1000, receivedBaud: 2000 }).bytes]).toEqual([
      0xfe, 0x80,
    ]);
    // 0x00: the receiver's stop sample lands on data bit 3, low: a framing error.
    const zero = receiveAtRate(bytesOf(0x00), { sentBaud: 1000, receivedBaud: 2000 });
    expect([...zero.bytes]).toEqual([0x00]);
    expect(zero.framingErrors).toBe(1);
  });

  it('nothing sent: nothing received', () => {
    expect(receiveAtRate(new Uint8Array(0), { sentBaud: 300, receivedBaud: 1000 }).bytes).toHaveLength(0);
  });
});

describe('rateMismatchedLink: the emulated loop behind a port at another rate', () => {
  /** Reads DEVICE_STATUS of the unaddressed board (T-15) through a port at `portBaud`. */
  async function probe(portBaud: number): Promise<{ outcome: string; framingErrors: number }> {
    const clock = new ManualClock();
    const chain = new EmulatedChain({ clock, modules: 1, seed: 3 });
    const link = rateMismatchedLink(chain.link, { portBaud, boardBaud: BOARD_BAUD });
    const bus = new TeslaBus(link, { clock, retries: 0 });
    const reading = bus.readRegister(0, Register.DEVICE_STATUS).then(
      () => 'answered',
      (error: { code: string }) => error.code,
    );
    await clock.advanceByMs(200);
    const outcome = await reading;
    bus.dispose();
    await link.close();
    return { outcome, framingErrors: link.lineErrors?.()?.framingErrors ?? -1 };
  }

  it('at the boards’ rate and 1 % off the board answers; 6 % off it does not', async () => {
    expect(await probe(BOARD_BAUD)).toEqual({ outcome: 'answered', framingErrors: 0 });
    expect(await probe(617_647)).toEqual({ outcome: 'answered', framingErrors: 0 });
    const slow = await probe(576_000);
    expect(slow.outcome).not.toBe('answered');
  });
});
