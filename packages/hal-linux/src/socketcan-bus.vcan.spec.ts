import * as path from 'node:path';
import { canBusContractResults, type ContractCaseResult } from '@tsbms/hal/testing';
import { runInUserModeLinux, userModeLinuxTimeoutMs, type GuestRun } from '@tsbms/test-support';

/*
 * SocketCanBus against the real kernel: tools/with-vcan boots user-mode Linux with vcan0 up and
 * runs testing/socketcan-guest-checks.ts there (one boot for every check; candump and cansend are
 * the other nodes). The script prints its observations as JSON; the assertions are all here,
 * except for @tsbms/hal's CanBus contract: its cases run in the guest (they need vcan0) and report
 * pass or fail, and each is one test below.
 */
const guestScript = path.join(__dirname, 'testing', 'socketcan-guest-checks.ts');

/** The script's observations; see socketcan-guest-checks.ts for what each one is. */
interface GuestResults {
  failure?: string;
  /** The CanBus contract cases, run on two SocketCanBus nodes on vcan0. */
  contract?: ContractCaseResult[];
  log: string[];
  events: Array<Record<string, unknown>>;
  openedIsOpen: boolean;
  sendResults: Array<{ ok: boolean; code?: string }>;
  dumpedBeforeLoss: string[];
  receivedFromCansend: string[];
  countersAfterTraffic: Record<string, number>;
  sendAsInterfaceGoesDown: { ok: boolean; code?: string };
  isOpenAfterLoss: boolean;
  sendAfterLoss: { ok: boolean; code?: string };
  attemptedBeforeDue: boolean;
  isOpenAfterReopen: boolean;
  sendAfterReopen: { ok: boolean; code?: string };
  dumpedAfterReopen: string[];
  receivedAfterReopen: string[];
  isOpenAfterClose: boolean;
  counters: Record<string, number>;
}

let run: GuestRun<GuestResults>['run'];
let results: GuestResults;

// One boot for the whole file: the checks' describe and the contract's.
beforeAll(() => {
  ({ run, results } = runInUserModeLinux<GuestResults>({ script: guestScript }));
}, userModeLinuxTimeoutMs());

canBusContractResults('SocketCanBus on vcan0 (run in user-mode Linux)', () => results.contract);

describe('SocketCanBus on vcan0 in user-mode Linux', () => {
  it('runs every step in the guest', () => {
    expect(results.failure).toBeUndefined();
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('puts exactly the valid frames on the wire, byte for byte (V-1)', () => {
    expect(results.openedIsOpen).toBe(true);
    expect(results.sendResults).toEqual([
      { ok: true },
      expect.objectContaining({ ok: false, code: 'INVALID_FRAME' }), // 0x400
      { ok: true },
      expect.objectContaining({ ok: false, code: 'INVALID_FRAME' }), // 0x751
      { ok: true },
      expect.objectContaining({ ok: false, code: 'INVALID_FRAME' }), // 0x18FF50E5
      { ok: true },
      expect.objectContaining({ ok: false, code: 'INVALID_FRAME' }), // 9 bytes
      { ok: true },
    ]);
    // candump sees the adapter's frames, then the cansend ones; nothing at or above 0x400 from us.
    expect(results.dumpedBeforeLoss).toEqual([
      '351#EC01E803E803B001',
      '35E#7473424D53000000',
      '000#',
      '3FF#FFFFFFFFFFFFFFFF',
      '123#00807F',
      '305#0102030405060708',
      '12345678#AA',
      '305#R',
      '000#',
      '7FF#01',
    ]);
  });

  it('delivers standard data frames from other nodes on frames$, counting the rest', () => {
    // Not its own frames, not the 29-bit one, not the remote frame.
    expect(results.receivedFromCansend).toEqual(['305#0102030405060708', '000#', '7FF#01']);
    expect(results.countersAfterTraffic).toMatchObject({
      framesSent: 5,
      framesReceived: 3,
      invalidFrames: 4,
      ignoredExtended: 1,
      ignoredRemote: 1,
      sendErrors: 0,
    });
  });

  it('reports a send on a downed interface as a counted SEND_FAILED, then BUS_CLOSED (V-3)', () => {
    expect(results.sendAsInterfaceGoesDown).toMatchObject({ ok: false, code: 'SEND_FAILED' });
    expect(results.isOpenAfterLoss).toBe(false);
    expect(results.sendAfterLoss).toMatchObject({ ok: false, code: 'BUS_CLOSED' });
    expect(results.log).toContainEqual(expect.stringMatching(/^warn send of 0x351 on vcan0 failed/));
  });

  it('reopens with backoff once the interface is back, and sends and receives again', () => {
    expect(results.attemptedBeforeDue).toBe(false);
    expect(results.isOpenAfterReopen).toBe(true);
    expect(results.sendAfterReopen).toEqual({ ok: true });
    expect(results.dumpedAfterReopen).toEqual(['355#3200640088130000', '306#CAFE']);
    // frames$ outlived the first socket.
    expect(results.receivedAfterReopen).toEqual(['306#CAFE']);
    expect(results.events).toEqual([
      { type: 'open' },
      expect.objectContaining({
        type: 'error',
        code: 'SEND_FAILED',
        context: { iface: 'vcan0', canId: 0x351 },
      }),
      // The binding's stop notice or the adapter's own interface check, whichever comes first.
      { type: 'close', reason: expect.stringMatching(/^interface down/) },
      expect.objectContaining({
        type: 'error',
        code: 'OPEN_FAILED',
        message: 'cannot open CAN interface vcan0: interface is down',
      }),
      { type: 'open' },
      { type: 'close', reason: 'closed by request' },
    ]);
    expect(results.log.filter((line) => line.includes('reconnect attempt'))).toEqual([
      'info vcan0 reconnect attempt 1 in 100 ms',
      'info vcan0 reconnect attempt 1 now',
      'info vcan0 reconnect attempt 2 in 200 ms',
      'info vcan0 reconnect attempt 2 now',
    ]);
  });

  it('counts everything for status output and is closed at the end', () => {
    expect(results.isOpenAfterClose).toBe(false);
    expect(results.counters).toEqual({
      framesSent: 6,
      framesReceived: 4,
      sendErrors: 1,
      sendsWhileClosed: 1,
      invalidFrames: 4,
      ignoredExtended: 1,
      ignoredRemote: 1,
      ignoredOversized: 0,
      errorFrames: 0,
      busOffs: 0,
      interfaceLosses: 1,
      openFailures: 1,
      reopens: 1,
    });
  });
});
