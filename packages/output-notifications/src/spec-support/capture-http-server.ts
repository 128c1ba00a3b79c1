import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the server read it, and the status it answered with (null: not answered). */
export interface CapturedRequest {
  readonly method: string;
  /** Path and query, as sent. */
  readonly path: string;
  /** Names in lower case, as node:http gives them. */
  readonly headers: IncomingHttpHeaders;
  /** The body, read as UTF-8. */
  readonly body: string;
  readonly status: number | null;
}

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * A real HTTP server on loopback, port 0, standing in for ntfy, Gotify or a webhook receiver:
 * it keeps every request and answers as told (200 with an empty body until then).
 */
export class CaptureHttpServer {
  readonly requests: CapturedRequest[] = [];
  private answer: Answer | null = { status: 200, body: '', headers: {} };
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly server: Server,
    /** `http://127.0.0.1:<port>`, no trailing slash. */
    readonly url: string,
  ) {}

  static async start(): Promise<CaptureHttpServer> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const { port } = server.address() as AddressInfo;
    const capture = new CaptureHttpServer(server, `http://127.0.0.1:${port}`);
    server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const answer = capture.answer;
        capture.requests.push({
          method: request.method ?? '',
          path: request.url ?? '',
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          status: answer?.status ?? null,
        });
        if (answer !== null) response.writeHead(answer.status, answer.headers).end(answer.body);
      });
    });
    return capture;
  }

  /** Answers every request from now on with `status`, `body` and `headers`. */
  answerWith(status: number, body = '', headers: Readonly<Record<string, string>> = {}): void {
    this.answer = { status, body, headers };
  }

  /** Reads every request from now on but never answers, as a server that hangs. */
  hang(): void {
    this.answer = null;
  }

  /** Stops listening and drops open connections; its port is then closed. Idempotent. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.closing;
  }
}
