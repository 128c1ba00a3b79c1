import type { Clock } from '../../clock';
import { FakeLinkEnd } from './fake-link-end';

export type ScriptBytes = Uint8Array | readonly number[];
/** Which writes a rule answers: exactly these bytes, or a predicate. */
export type WriteMatcher = ScriptBytes | ((written: Uint8Array) => boolean);
/** What comes back: bytes, nothing (null = silence), or computed from the write. */
export type ScriptedReply = ScriptBytes | null | ((written: Uint8Array) => ScriptBytes | null);

export interface ReplyOptions {
  /** Delay on the clock from the write to the first byte (default: the link's replyDelayMs). */
  readonly delayMs?: number;
  /** Deliver the reply in chunks of these sizes (the rest in one chunk). */
  readonly chunkSizes?: readonly number[];
  /** The rule answers this many writes, then is used up (default: unlimited). */
  readonly times?: number;
}

export interface ScriptedLinkOptions {
  readonly clock: Clock;
  /**
   * What an unmatched write gets: 'loopback' returns it unchanged, as a loop with no module at
   * that address does (default); 'silent' returns nothing.
   */
  readonly unmatched?: 'loopback' | 'silent';
  /** Default delay of every reply in milliseconds (default 0: next clock turn). */
  readonly replyDelayMs?: number;
}

interface Rule {
  readonly matches: (written: Uint8Array) => boolean;
  readonly reply: ScriptedReply;
  readonly options: ReplyOptions;
  remaining: number;
}

function toMatcher(matcher: WriteMatcher): (written: Uint8Array) => boolean {
  if (typeof matcher === 'function') return matcher;
  const expected = Uint8Array.from(matcher);
  return (written) => written.length === expected.length && written.every((b, i) => b === expected[i]);
}

/**
 * A scriptable fake {@link ByteLink} for protocol tests: reply rules, recorded writes, injected
 * garbage, split and delayed replies on the injected clock, silence, write failures, errors and
 * closing. Tests that only need a ByteLink plus byte counts can swap in any other link (such as
 * the module emulator) wrapped in a RecordingLink.
 */
export class ScriptedLink extends FakeLinkEnd {
  private readonly rules: Rule[] = [];
  private readonly recorded: Uint8Array[] = [];
  private writeFailure: Error | undefined;
  private sent = 0;

  constructor(private readonly options: ScriptedLinkOptions) {
    super(options.clock);
  }

  /** Every write, in order (copies). */
  get writes(): readonly Uint8Array[] {
    return this.recorded;
  }

  get bytesWritten(): number {
    return this.sent;
  }

  /** Adds a reply rule. Rules are tried in the order they were added; used-up rules are skipped. */
  onWrite(matcher: WriteMatcher, reply: ScriptedReply, options: ReplyOptions = {}): this {
    this.rules.push({
      matches: toMatcher(matcher),
      reply,
      options,
      remaining: options.times ?? Infinity,
    });
    return this;
  }

  /** Sends bytes nobody asked for (line noise, a late reply) after `delayMs`. */
  inject(bytes: ScriptBytes, delayMs = 0, chunkSizes: readonly number[] = []): void {
    this.deliverLater(Uint8Array.from(bytes), delayMs, chunkSizes);
  }

  /** Makes every following write reject with `error` (until called with undefined). */
  failWrites(error: Error | undefined): void {
    this.writeFailure = error;
  }

  /** The device disappears: close event, `data$` completes, pending replies are lost. */
  disconnect(reason = 'device disappeared'): void {
    this.shutDown(reason);
  }

  write(bytes: Uint8Array): Promise<void> {
    if (!this.isOpen) return Promise.reject(this.closedError());
    if (this.writeFailure) return Promise.reject(this.writeFailure);
    const written = Uint8Array.from(bytes);
    this.recorded.push(written);
    this.sent += written.length;
    const rule = this.rules.find((r) => r.remaining > 0 && r.matches(written));
    if (rule) {
      rule.remaining -= 1;
      const reply = typeof rule.reply === 'function' ? rule.reply(written) : rule.reply;
      if (reply !== null)
        this.deliverLater(
          Uint8Array.from(reply),
          rule.options.delayMs ?? this.defaultDelayMs,
          rule.options.chunkSizes,
        );
    } else if ((this.options.unmatched ?? 'loopback') === 'loopback') {
      this.deliverLater(written, this.defaultDelayMs);
    }
    return Promise.resolve();
  }

  private get defaultDelayMs(): number {
    return this.options.replyDelayMs ?? 0;
  }
}
