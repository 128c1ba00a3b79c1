import type { Response } from 'express';
import { interval, merge, map, type Subscription } from 'rxjs';
import type { OutputContext } from '@tsbms/bms-core';

export interface EventStreamOptions {
  /** A comment line this often keeps proxies and browsers from closing an idle stream. */
  readonly heartbeatMs: number;
  /** A client whose unsent output exceeds this is disconnected (it reconnects, and gets the latest). */
  readonly maxBufferedBytes: number;
}

export const DEFAULT_EVENT_STREAM_OPTIONS: EventStreamOptions = Object.freeze({
  heartbeatMs: 15_000,
  maxBufferedBytes: 1 << 20,
});

/** One server-sent event: `event:` line, one `data:` line of JSON (JSON.stringify has no newline). */
export function sseFrame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * GET /api/stream: `status` snapshots and `fault` events to every connected client. Writes never
 * wait for a client: a client too slow to take them is dropped, so the BMS loop cannot block.
 */
export class EventStreamHub {
  private readonly clients = new Set<Response>();
  private readonly subscription: Subscription;

  constructor(
    private readonly context: OutputContext<unknown>,
    private readonly options: EventStreamOptions = DEFAULT_EVENT_STREAM_OPTIONS,
  ) {
    this.subscription = merge(
      context.status$.pipe(map((status) => sseFrame('status', status))),
      context.faultEvents$.pipe(map((event) => sseFrame('fault', event))),
      interval(options.heartbeatMs, context.clock).pipe(map(() => ': heartbeat\n\n')),
    ).subscribe((frame) => this.broadcast(frame));
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Takes over the response: headers, the current snapshot, then every frame until it closes. */
  attach(res: Response): void {
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
    let snapshot: string;
    try {
      snapshot = sseFrame('status', this.context.status());
    } catch {
      // The core is (re)starting: the first scan's snapshot follows.
      snapshot = ': waiting for the first scan\n\n';
    }
    this.send(res, `retry: 3000\n${snapshot}`);
  }

  /** Ends every stream and stops listening. */
  close(): void {
    this.subscription.unsubscribe();
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private broadcast(frame: string): void {
    for (const res of this.clients) this.send(res, frame);
  }

  private send(res: Response, frame: string): void {
    if (res.writableLength > this.options.maxBufferedBytes) {
      this.clients.delete(res);
      res.destroy();
      return;
    }
    res.write(frame);
  }
}
