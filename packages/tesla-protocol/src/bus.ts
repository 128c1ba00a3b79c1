import { map, startWith, Subject, type Observable, type Subscription } from 'rxjs';
import { requireByteLink, type ByteLink, type Clock } from '@tsbms/hal';
import { requireClockOptions } from './argument-guards';
import { BusStatsTally, type BusStats, type ModuleCounter } from './bus-stats';
import { TeslaProtocolError, type TeslaProtocolErrorCode } from './errors';
import {
  broadcastWrite,
  decodeReadReply,
  encodeFrame,
  readRequest,
  writeRequest,
  type Request,
  type WriteRequest,
} from './frames';
import { MAX_FRAME_LENGTH, ReplyFramer, type FramerOutput } from './framer';
import {
  FORBIDDEN_WRITE_REGISTERS,
  isProtectedRegister,
  Register,
  registerName,
  SHADOW_UNLOCK,
} from './registers';

export interface TeslaBusOptions {
  readonly clock: Clock;
  /** Reply timeout, measured from the write (T-6). Default 100 ms. */
  readonly replyTimeoutMs?: number;
  /** Further attempts after a failed transaction (T-6). Default 2. */
  readonly retries?: number;
  /** Send reads with their CRC (T-3 default); false = the 3-byte fallback. */
  readonly readWithCrc?: boolean;
}

/** Per-call overrides, e.g. the 40 ms discovery probe (T-14). */
export interface TransactionOptions {
  readonly timeoutMs?: number;
  readonly retries?: number;
}

export const DEFAULT_REPLY_TIMEOUT_MS = 100;
export const DEFAULT_RETRIES = 2;

type AttemptResult =
  | { readonly ok: true; readonly data: readonly number[] }
  | {
      readonly ok: false;
      readonly code: TeslaProtocolErrorCode;
      readonly reason: string;
      /** The register of the frame that failed, when not the request's (the unlock before it). */
      readonly register?: number;
    };

interface ActiveAttempt {
  readonly received: number[];
  onOutput(output: FramerOutput): void;
  onLinkGone(reason: string): void;
}

const FAILURE_COUNTER: Partial<Record<TeslaProtocolErrorCode, ModuleCounter>> = {
  TIMEOUT: 'timeouts',
  CRC: 'crcErrors',
  BAD_FRAME: 'badFrames',
  ECHO_MISMATCH: 'echoMismatches',
  NO_SUCH_MODULE: 'noSuchModule',
};

function hex(bytes: readonly number[]): string {
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

/**
 * The host's client for the module loop over a {@link ByteLink}: one transaction in flight
 * (others queue), stray input discarded before each request, a reply timeout that starts at the
 * write, bounded retries, the T-5 failure classes, and counters as `stats$`. Writes to
 * 0x40..0x4F are preceded by their SHDW_CTRL unlock inside the same queue slot (T-9); writes to
 * E_EN and TEST_SELECT are refused (T-10).
 */
export class TeslaBus {
  private readonly clock: Clock;
  private readonly replyTimeoutMs: number;
  private readonly retries: number;
  private readonly readWithCrc: boolean;
  private readonly framer = new ReplyFramer();
  private readonly tally = new BusStatsTally();
  /** Ticks after every attempt; the counters are copied only when someone reads them. */
  private readonly statsChanged = new Subject<void>();
  private latestStats: BusStats | undefined;
  private readonly subscriptions: Subscription[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private active: ActiveAttempt | undefined;
  private idleDroppedBytes = 0;
  private linkEnded = false;

  constructor(
    private readonly link: ByteLink,
    options: TeslaBusOptions,
  ) {
    requireByteLink(link, 'link');
    requireClockOptions(options, 'options', 'TeslaBus options');
    this.clock = options.clock;
    this.replyTimeoutMs = options.replyTimeoutMs ?? DEFAULT_REPLY_TIMEOUT_MS;
    this.retries = options.retries ?? DEFAULT_RETRIES;
    this.readWithCrc = options.readWithCrc ?? true;
    this.subscriptions.push(
      link.data$.subscribe({
        next: (chunk) => this.onData(chunk),
        complete: () => {
          this.linkEnded = true;
          this.active?.onLinkGone('link closed');
        },
      }),
      link.events$.subscribe((event) => {
        if (event.type === 'close') this.active?.onLinkGone(`link closed: ${event.reason}`);
      }),
    );
  }

  /** Counters, re-emitted after every attempt. */
  get stats$(): Observable<BusStats> {
    return this.statsChanged.pipe(
      startWith(undefined),
      map(() => this.stats),
    );
  }

  get stats(): BusStats {
    this.latestStats ??= this.tally.snapshot(this.framer.droppedBytes + this.idleDroppedBytes);
    return this.latestStats;
  }

  /** Reads `count` registers from `register` at `address` (0..62) and returns their bytes. */
  async readRegisters(
    address: number,
    register: number,
    count: number,
    options: TransactionOptions = {},
  ): Promise<readonly number[]> {
    const request = readRequest(address, register, count, this.readWithCrc);
    return this.enqueue(() => this.withRetries(request, options, () => this.attempt(request, options)));
  }

  /** Reads one register. */
  async readRegister(address: number, register: number, options: TransactionOptions = {}): Promise<number> {
    const [value] = await this.readRegisters(address, register, 1, options);
    return value;
  }

  /** Writes one register at address 0..62 and checks the echo. Protected registers are unlocked first. */
  async writeRegister(
    address: number,
    register: number,
    value: number,
    options: TransactionOptions = {},
  ): Promise<void> {
    await this.sendWrite(writeRequest(address, register, value), options);
  }

  /** Writes one register in every module; one echo comes back. */
  async broadcastRegister(register: number, value: number, options: TransactionOptions = {}): Promise<void> {
    await this.sendWrite(broadcastWrite(register, value), options);
  }

  /** Stops listening to the link (does not close it). */
  dispose(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.active?.onLinkGone('bus disposed');
    this.statsChanged.complete();
  }

  private async sendWrite(request: WriteRequest, options: TransactionOptions): Promise<void> {
    if (FORBIDDEN_WRITE_REGISTERS.includes(request.register)) {
      throw new TeslaProtocolError('FORBIDDEN_REGISTER', 'tsBMS never writes E_EN or TEST_SELECT', {
        address: request.address,
        register: request.register,
      });
    }
    const unlock = isProtectedRegister(request.register)
      ? writeRequest(request.address, Register.SHDW_CTRL, SHADOW_UNLOCK)
      : undefined;
    await this.enqueue(() =>
      this.withRetries(request, options, async () => {
        // The unlock is single-use, so every attempt sends it again, right before the write.
        // Its failure names SHDW_CTRL: a module that answers the unlock but not the protected
        // register is another fault (PROTECTED_REGISTERS_UNANSWERED, commands.ts).
        if (unlock) {
          const unlocked = await this.attempt(unlock, options);
          if (!unlocked.ok) {
            const reason = `${unlocked.reason} to the unlock before ${registerName(request.register)}`;
            return { ...unlocked, reason, register: unlock.register };
          }
        }
        return this.attempt(request, options);
      }),
    );
  }

  private enqueue<T>(transaction: () => Promise<T>): Promise<T> {
    const run = this.queue.then(transaction);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async withRetries(
    request: Request,
    options: TransactionOptions,
    attempt: () => Promise<AttemptResult>,
  ): Promise<readonly number[]> {
    const retries = options.retries ?? this.retries;
    for (let tries = 0; ; tries++) {
      const result = await attempt();
      if (result.ok) return result.data;
      if (result.code === 'LINK_CLOSED' || tries >= retries) {
        throw new TeslaProtocolError(result.code, `${result.reason} after ${tries + 1} attempt(s)`, {
          address: request.address,
          register: result.register ?? request.register,
        });
      }
      this.tally.count(request.address, 'retries');
      this.publish();
    }
  }

  /** One request and its reply, settled by a valid reply, a rejected one, the timeout or the link going away. */
  private attempt(request: Request, options: TransactionOptions): Promise<AttemptResult> {
    if (this.linkEnded || !this.link.isOpen) {
      return Promise.resolve(
        this.recordResult(request, {
          ok: false,
          code: 'LINK_CLOSED',
          reason: 'link is closed',
        }),
      );
    }
    return new Promise((resolve) => {
      const bytes = encodeFrame(request);
      const received: number[] = [];
      let settled = false;
      const finish = (result: AttemptResult): void => {
        if (settled) return;
        settled = true;
        timer.unsubscribe();
        this.active = undefined;
        this.framer.expect(undefined);
        resolve(this.recordResult(request, result));
      };
      this.framer.clear(); // stray input before the request (T-6)
      this.framer.expect(request);
      this.active = {
        received,
        onOutput: (output) => finish(this.resultOf(request, output)),
        onLinkGone: (reason) => finish({ ok: false, code: 'LINK_CLOSED', reason }),
      };
      const timer = this.clock.schedule(
        () => finish(this.classifyTimeout(request, bytes, received)),
        options.timeoutMs ?? this.replyTimeoutMs,
      );
      this.tally.bytesSent += bytes.length;
      this.link.write(bytes).catch((error: unknown) => {
        this.tally.linkErrors += 1;
        const closed = this.linkEnded || !this.link.isOpen;
        finish({
          ok: false,
          code: closed ? 'LINK_CLOSED' : 'LINK_FAILED',
          reason: `write failed: ${(error as Error).message}`,
        });
      });
    });
  }

  private onData(chunk: Uint8Array): void {
    this.tally.bytesReceived += chunk.length;
    const active = this.active;
    if (!active) {
      // Nobody asked: stray input (a late reply, noise).
      this.idleDroppedBytes += chunk.length;
      this.publish();
      return;
    }
    // Kept for T-5 classification at the timeout; more than any reply means it is garbage anyway.
    for (const byte of chunk) if (active.received.length <= MAX_FRAME_LENGTH) active.received.push(byte);
    const outputs = this.framer.push(chunk);
    if (outputs.length > 0) active.onOutput(outputs.find((o) => o.kind === 'frame') ?? outputs[0]);
  }

  private resultOf(request: Request, output: FramerOutput): AttemptResult {
    if (output.kind === 'rejected')
      return {
        ok: false,
        code: output.rejection,
        reason: `rejected reply ${hex([...output.bytes])}`,
      };
    if (request.kind === 'writeRequest') return { ok: true, data: [] };
    const decoded = decodeReadReply(output.bytes, request);
    return decoded.ok
      ? { ok: true, data: decoded.frame.data }
      : { ok: false, code: decoded.rejection, reason: decoded.reason };
  }

  /** T-5: nothing = loop silent; exactly the request = no module there; anything else = bad frame. */
  private classifyTimeout(request: Request, sent: Uint8Array, received: readonly number[]): AttemptResult {
    if (received.length === 0) return { ok: false, code: 'TIMEOUT', reason: 'no reply (loop silent)' };
    const cameBack = received.length === sent.length && received.every((b, i) => b === sent[i]);
    if (cameBack)
      return {
        ok: false,
        code: 'NO_SUCH_MODULE',
        reason: `request came back unchanged: ${hex(received)}`,
      };
    return {
      ok: false,
      code: 'BAD_FRAME',
      reason: `no valid reply to ${request.kind} in ${received.length} byte(s): ${hex(received)}`,
    };
  }

  private recordResult(request: Request, result: AttemptResult): AttemptResult {
    if (result.ok) this.tally.count(request.address, 'framesOk');
    else {
      const counter = FAILURE_COUNTER[result.code];
      if (counter) this.tally.count(request.address, counter);
    }
    this.publish();
    return result;
  }

  private publish(): void {
    this.latestStats = undefined;
    this.statsChanged.next();
  }
}
