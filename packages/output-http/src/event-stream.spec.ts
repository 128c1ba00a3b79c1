import * as http from 'node:http';
import { EventEmitter } from 'node:events';
import type { Response } from 'express';
import { EventStreamHub, sseFrame } from './event-stream';
import { FakeHttpContext } from './testing/fake-http-context';
import { startTestHttp, type TestHttp } from './testing/http-harness';
import { faultEventFixture, statusFixture } from './testing/status-fixture';

interface SseEvent {
  readonly event: string | null;
  readonly data: string | null;
  readonly comment: string | null;
}

/** A real HTTP client on GET /api/stream that splits the bytes into SSE blocks as they come. */
class StreamClient {
  readonly blocks: SseEvent[] = [];
  readonly request: http.ClientRequest;
  response!: http.IncomingMessage;
  private buffer = '';
  private waiters: (() => void)[] = [];

  constructor(url: string) {
    this.request = http.get(new URL('/api/stream', url), (response) => {
      this.response = response;
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => this.take(chunk));
      this.notify();
    });
    this.request.on('error', () => undefined);
  }

  /** Resolves once `count` blocks have arrived (real I/O on loopback, bounded by Jest's timeout). */
  async waitForBlocks(count: number): Promise<SseEvent[]> {
    while (this.blocks.length < count) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.blocks.slice(0, count);
  }

  async waitForResponse(): Promise<http.IncomingMessage> {
    while (this.response === undefined) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.response;
  }

  close(): void {
    this.request.destroy();
  }

  private take(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const lines = this.buffer.slice(0, end).split('\n');
      this.buffer = this.buffer.slice(end + 2);
      const field = (name: string) =>
        lines.find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2) ?? null;
      const comment =
        lines
          .find((l) => l.startsWith(':'))
          ?.slice(1)
          .trim() ?? null;
      this.blocks.push({ event: field('event'), data: field('data'), comment });
    }
    this.notify();
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((wake) => wake());
  }
}

describe('GET /api/stream (server-sent events)', () => {
  let server: TestHttp;
  let client: StreamClient;
  afterEach(async () => {
    client?.close();
    await server?.close();
  });

  it('sends the current snapshot, then each new snapshot and fault event, and heartbeats', async () => {
    server = await startTestHttp();
    client = new StreamClient(server.url);
    const response = await client.waitForResponse();
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-cache, no-transform');
    const [first] = await client.waitForBlocks(1);
    expect(first.event).toBe('status');
    expect(JSON.parse(first.data as string)).toEqual(JSON.parse(JSON.stringify(server.context.status())));

    const next = statusFixture({ timestampMs: 1_700_000_001_000, socPercent: 64 });
    const fault = faultEventFixture();
    server.context.publishStatus(next);
    server.context.publishFault(fault);
    const [, second, third] = await client.waitForBlocks(3);
    expect(second.event).toBe('status');
    expect(JSON.parse(second.data as string).socPercent).toBe(64);
    expect(third.event).toBe('fault');
    expect(JSON.parse(third.data as string)).toEqual(fault);

    await server.context.clock.advanceByMs(15_000);
    const [, , , heartbeat] = await client.waitForBlocks(4);
    expect(heartbeat).toEqual({ event: null, data: null, comment: 'heartbeat' });
  });

  it('forgets a client that goes away', async () => {
    server = await startTestHttp();
    client = new StreamClient(server.url);
    await client.waitForBlocks(1);
    expect(server.service.status().details?.streamClients).toBe(1);
    client.close();
    while (server.service.status().details?.streamClients !== 0) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    server.context.publishStatus(statusFixture());
    expect(server.service.status().details?.streamClients).toBe(0);
  });

  it('stop() ends open streams', async () => {
    server = await startTestHttp();
    client = new StreamClient(server.url);
    const response = await client.waitForResponse();
    await client.waitForBlocks(1);
    const ended = new Promise((resolve) => response.on('close', resolve));
    await server.close();
    await ended;
    server = undefined as unknown as TestHttp;
  });
});

/** A response as the hub sees it: bytes waiting in the socket grow until `drain()`. */
class FakeStreamResponse extends EventEmitter {
  writableLength = 0;
  written: string[] = [];
  destroyed = false;
  ended = false;
  status() {
    return this;
  }
  set() {
    return this;
  }
  headersFlushed = false;
  flushHeaders() {
    this.headersFlushed = true;
  }
  write(frame: string) {
    this.written.push(frame);
    this.writableLength += Buffer.byteLength(frame);
    return this.writableLength < 16_384;
  }
  end() {
    this.ended = true;
  }
  destroy() {
    this.destroyed = true;
    this.emit('close');
  }
}

describe('EventStreamHub with a slow client', () => {
  it('drops a client whose unsent output passes the bound, without holding up the others', () => {
    const context = new FakeHttpContext(null, {});
    const hub = new EventStreamHub(context, { heartbeatMs: 15_000, maxBufferedBytes: 4096 });
    const slow = new FakeStreamResponse();
    const fast = new FakeStreamResponse();
    hub.attach(slow as unknown as Response);
    hub.attach(fast as unknown as Response);
    const frameBytes = Buffer.byteLength(sseFrame('status', context.status()));
    const scans = Math.ceil(4096 / frameBytes) + 2;
    for (let i = 0; i < scans; i += 1) {
      context.publishStatus(statusFixture({ timestampMs: i }));
      fast.writableLength = 0; // this one keeps up
    }
    expect(slow.headersFlushed).toBe(true);
    expect(slow.destroyed).toBe(true);
    expect(slow.written.length).toBeLessThan(scans + 1);
    expect(fast.destroyed).toBe(false);
    expect(fast.written).toHaveLength(scans + 1);
    expect(hub.clientCount).toBe(1);
    hub.close();
    expect(fast.ended).toBe(true);
  });

  it('frames are one event line and one data line of JSON', () => {
    expect(sseFrame('fault', { a: 'x\ny' })).toBe('event: fault\ndata: {"a":"x\\ny"}\n\n');
  });
});
