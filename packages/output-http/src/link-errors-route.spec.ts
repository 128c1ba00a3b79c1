import type { OutputService } from '@tsbms/bms-core';
import { startHttpOutputWith } from './http-output';
import type { LinkErrorReport } from './link-error-report';
import { apiRequests } from './testing/api-requests';
import { startTestHttp, type TestHttp } from './testing/http-harness';
import { linkStatsFixture, statusFixture } from './testing/status-fixture';

let server: TestHttp;
afterEach(async () => server?.close());

const { get } = apiRequests(() => server.url);

const MINUTE_MS = 60_000;

/** The fixture's counters (module 1: 60 good, 2 CRC errors; module 2: 60 good) grown by `grown`. */
function grownBy(grown: Record<number, Readonly<Record<string, number>>>) {
  const { totals, perModule = {} } = linkStatsFixture();
  return {
    totals,
    perModule: Object.fromEntries(
      Object.entries(perModule).map(([address, counts]) => {
        const more = grown[Number(address)] ?? {};
        return [address, Object.fromEntries(Object.entries(counts).map(([k, n]) => [k, n + (more[k] ?? 0)]))];
      }),
    ),
  };
}

/** A scan: the source's counters are `grown` past the fixture's, and a snapshot goes out. */
function scan(grown: Record<number, Readonly<Record<string, number>>>) {
  server.context.setLinkStats(grownBy(grown));
  server.context.publishStatus(statusFixture());
}

async function report(): Promise<LinkErrorReport> {
  const response = await get('/api/link-errors');
  expect(response.status).toBe(200);
  return (await response.json()) as LinkErrorReport;
}

describe('GET /api/link-errors', () => {
  it('answers a column per minute of the last hour, ending with this one, and per module what the counters grew by since the output started, with the level of each', async () => {
    server = await startTestHttp();
    const startedMs = server.context.clock.now();
    scan({ 1: { framesOk: 30, crcErrors: 8, timeouts: 2 }, 2: { framesOk: 30 } });
    await server.context.clock.advanceByMs(MINUTE_MS);
    scan({ 1: { framesOk: 60, crcErrors: 8, timeouts: 2 }, 2: { framesOk: 60 } });
    // The broadcasts: the source counts them too, but they are no module of the status.
    const { totals, perModule } = grownBy({
      1: { framesOk: 60, crcErrors: 8, timeouts: 2 },
      2: { framesOk: 60 },
    });
    server.context.setLinkStats({ totals, perModule: { ...perModule, 63: { framesOk: 5, timeouts: 5 } } });
    server.context.publishStatus(statusFixture());

    const body = await report();
    const thisMinuteMs = Math.floor(server.context.clock.now() / MINUTE_MS) * MINUTE_MS;
    expect(body.windowS).toBe(60);
    expect(body.windowStartsMs).toHaveLength(60);
    expect(body.windowStartsMs.at(-1)).toBe(thisMinuteMs);
    expect(body.windowStartsMs[0]).toBe(thisMinuteMs - 59 * MINUTE_MS);
    expect(body.levels).toEqual(['none', '< 25 %', '< 50 %', '< 100 %', 'all']);
    expect(body.modules.map((m) => m.address)).toEqual([1, 2]);

    const [module1, module2] = body.modules;
    // The fixture's 2 CRC errors came before the output started: not placed in time.
    expect(module1.windows.slice(0, 58)).toEqual(Array(58).fill(null));
    expect(module1.windows[58]).toEqual({
      framesOk: 30,
      crcErrors: 8,
      badFrames: 0,
      echoMismatches: 0,
      timeouts: 2,
      noSuchModule: 0,
      retries: 0,
      transactions: 40,
      failures: 10,
      level: 2,
    });
    expect(body.windowStartsMs[58]).toBe(Math.floor(startedMs / MINUTE_MS) * MINUTE_MS);
    expect(module1.windows[59]).toMatchObject({ framesOk: 30, transactions: 30, failures: 0, level: 0 });
    expect(module1.total).toMatchObject({
      crcErrors: 8,
      timeouts: 2,
      transactions: 70,
      failures: 10,
      level: 1,
    });
    expect(module2.total).toMatchObject({ transactions: 60, failures: 0, level: 0 });
  });

  it('keeps the windows across a restart of the output on the same context', async () => {
    server = await startTestHttp();
    scan({ 1: { framesOk: 10, timeouts: 10 } });
    const { clock } = server.context;
    const stop = async (service: OutputService) => {
      const stopping = service.stop();
      await clock.advanceByMs(5000);
      await stopping;
    };
    await stop(server.service);
    const restarted = (await startHttpOutputWith({ dashboardDir: server.dashboardDir })(
      server.context,
    )) as OutputService;
    try {
      const response = await fetch(new URL('/api/link-errors', String(restarted.status().details?.url)));
      const module1 = ((await response.json()) as LinkErrorReport).modules.find((m) => m.address === 1);
      expect(module1?.total).toMatchObject({ timeouts: 10, transactions: 20, failures: 10, level: 3 });
    } finally {
      // afterEach stops the first service again, which answers at once.
      await stop(restarted);
    }
  });

  it('answers 404 NOT_AVAILABLE when the pack source keeps no link counters (a replay)', async () => {
    server = await startTestHttp();
    server.context.setLinkStats(null);
    const response = await get('/api/link-errors');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: {
        code: 'NOT_AVAILABLE',
        message: 'this pack source keeps no link counters (a replayed recording)',
      },
    });
  });
});
