import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the server read it. */
export interface ReceivedWrite {
  readonly method: string;
  /** The path without the query. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Names in lower case, as node:http gives them. */
  readonly headers: IncomingHttpHeaders;
  /** The body, read as UTF-8. */
  readonly body: string;
  /** The status it was answered with. */
  readonly status: number;
}

interface Answer {
  readonly status: number;
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * A real HTTP server on loopback, port 0, standing in for InfluxDB's write API: it keeps every
 * request and answers from a script (then 204, as InfluxDB does for a write).
 */
export class InfluxStandIn {
  readonly writes: ReceivedWrite[] = [];
  private readonly script: Answer[] = [];
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly server: Server,
    /** `http://127.0.0.1:<port>`, no trailing slash. */
    readonly url: string,
  ) {}

  static async start(): Promise<InfluxStandIn> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const { port } = server.address() as AddressInfo;
    const standIn = new InfluxStandIn(server, `http://127.0.0.1:${port}`);
    server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const answer = standIn.script.shift() ?? { status: 204 };
        const url = new URL(request.url ?? '/', standIn.url);
        standIn.writes.push({
          method: request.method ?? '',
          path: url.pathname,
          query: url.searchParams,
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          status: answer.status,
        });
        response.writeHead(answer.status, answer.headers).end(answer.body);
      });
    });
    return standIn;
  }

  /** Answers for the next requests, in order; 204 after them. */
  answerNext(...answers: Answer[]): void {
    this.script.push(...answers);
  }

  /** Waits, at most 5 s of real time, until `count` requests have arrived. */
  async received(count: number): Promise<void> {
    const until = Date.now() + 5000;
    while (this.writes.length < count && Date.now() < until)
      await new Promise((resolve) => setTimeout(resolve, 10));
    if (this.writes.length < count) throw new Error(`${this.writes.length} request(s) arrived, not ${count}`);
  }

  /** Stops listening and drops open connections. Idempotent. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.closing;
  }
}
