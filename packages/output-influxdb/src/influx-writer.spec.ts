import { ManualClock } from '@tsbms/hal';
import { RecordingLogger } from '@tsbms/hal/testing';
import type { InfluxWriteTarget } from './influx-write-request';
import { InfluxWriter, type InfluxWriterOptions } from './influx-writer';
import { networkFailure, ScriptedFetch } from './testing';

/*
 * The writer in virtual time (ManualClock) against a scripted fetch: when it posts, what, and what
 * it does with each kind of answer.
 */

const T0 = Date.UTC(2026, 11, 5, 12, 0, 0);
const TARGET: InfluxWriteTarget = {
  url: 'http://influxdb.local:8086',
  org: 'home',
  bucket: 'battery',
  token: 't0ken',
};
const lines = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => `m f=${from + i} ${from + i}`);

function setup(options: Partial<InfluxWriterOptions> = {}) {
  const clock = new ManualClock(T0);
  const logger = new RecordingLogger();
  const influx = new ScriptedFetch(clock);
  const writer = new InfluxWriter({
    target: TARGET,
    clock,
    logger,
    fetch: influx.fetch,
    flushIntervalMs: 10_000,
    maxBufferedLines: 1000,
    timeoutMs: 5000,
    ...options,
  });
  /** Seconds since the start at which each POST was made. */
  const postedAtS = () => influx.requests.map((r) => ((r.atMs ?? 0) - T0) / 1000);
  const bodies = () => influx.requests.map((r) => r.body);
  return { clock, logger, influx, writer, postedAtS, bodies };
}

describe('InfluxWriter: batching', () => {
  it('posts once per flush interval, everything buffered since, and nothing when there is nothing', async () => {
    const { clock, writer, postedAtS, bodies } = setup();
    writer.enqueue(lines(1, 1));
    await clock.advanceByMs(3000);
    writer.enqueue(lines(2, 2));
    await clock.advanceByMs(7000);
    expect(postedAtS()).toEqual([10]);
    expect(bodies()).toEqual([lines(1, 3).join('\n')]);
    await clock.advanceByMs(10_000);
    expect(postedAtS()).toEqual([10]);
    writer.enqueue(lines(4, 1));
    await clock.advanceByMs(10_000);
    expect(postedAtS()).toEqual([10, 30]);
    expect(writer.counters()).toEqual({
      linesWritten: 4,
      linesDropped: 0,
      batchesFailed: 0,
      lastError: null,
      lastWriteAtMs: T0 + 30_000,
      bufferedLines: 0,
      failing: false,
    });
  });

  it('posts at most maxBatchLines at a time, the rest at the next flushes', async () => {
    const { clock, writer, bodies } = setup({ maxBatchLines: 2 });
    writer.enqueue(lines(1, 5));
    await clock.advanceByMs(30_000);
    expect(bodies()).toEqual([lines(1, 2), lines(3, 2), lines(5, 1)].map((b) => b.join('\n')));
  });

  it('ignores an empty enqueue', async () => {
    const { clock, writer, influx } = setup();
    writer.enqueue([]);
    await clock.advanceByMs(10_000);
    expect(influx.requests).toEqual([]);
  });
});

describe('InfluxWriter: failures', () => {
  it('keeps a batch that failed (network, 5xx) and retries it after 2, 4, 8 s, one request at a time', async () => {
    const { clock, writer, influx, logger, postedAtS, bodies } = setup();
    influx.answerNext(
      { fail: networkFailure() },
      { status: 503, body: '{"message":"service unavailable"}' },
      { fail: networkFailure('ECONNRESET') },
    );
    writer.enqueue(lines(1, 3));
    await clock.advanceByMs(10_000);
    expect(writer.counters()).toMatchObject({
      failing: true,
      bufferedLines: 3,
      lastError: 'unreachable (ECONNREFUSED)',
    });
    await clock.advanceByMs(20_000);
    expect(postedAtS()).toEqual([10, 12, 16, 24]);
    expect(new Set(bodies())).toEqual(new Set([lines(1, 3).join('\n')]));
    expect(influx.maxInFlight).toBe(1);
    expect(writer.counters()).toMatchObject({
      linesWritten: 3,
      linesDropped: 0,
      batchesFailed: 3,
      lastError: 'unreachable (ECONNRESET)',
      lastWriteAtMs: T0 + 24_000,
      failing: false,
    });
    // One warning when writes start failing, one line when they work again.
    expect(logger.lines.map((l) => [l.level, l.message])).toEqual([
      ['warn', 'influxdb: write failed (unreachable (ECONNREFUSED)); retrying in 2 s'],
      ['info', 'influxdb: writing again'],
    ]);
  });

  it('lines that arrive while a retry waits go with it', async () => {
    const { clock, writer, influx, bodies } = setup();
    influx.answerNext({ status: 500 });
    writer.enqueue(lines(1, 2));
    await clock.advanceByMs(11_000);
    writer.enqueue(lines(3, 1));
    await clock.advanceByMs(1000);
    expect(bodies()).toEqual([lines(1, 2).join('\n'), lines(1, 3).join('\n')]);
  });

  it('doubles the delay up to the policy’s ceiling', async () => {
    const { clock, writer, influx, postedAtS } = setup({ retry: { initialDelayMs: 2000, maxDelayMs: 5000 } });
    influx.answerAlways({ status: 503 });
    writer.enqueue(lines(1, 1));
    await clock.advanceByMs(31_000);
    expect(postedAtS()).toEqual([10, 12, 16, 21, 26, 31]);
  });

  it('drops a batch InfluxDB refuses (400), logging the status and InfluxDB’s message; later lines go on', async () => {
    const { clock, writer, influx, logger, postedAtS, bodies } = setup();
    influx.answerNext({
      status: 400,
      body: JSON.stringify({ code: 'invalid', message: 'partial write: field type conflict' }),
    });
    writer.enqueue(lines(1, 2));
    await clock.advanceByMs(10_000);
    expect(logger.lines).toEqual([
      {
        level: 'error',
        fields: {
          event: 'influxdb',
          status: 400,
          error: 'HTTP 400: partial write: field type conflict',
          lines: 2,
        },
        message: 'influxdb: write refused (HTTP 400: partial write: field type conflict); 2 line(s) dropped',
      },
    ]);
    expect(writer.counters()).toMatchObject({
      linesDropped: 2,
      batchesFailed: 1,
      bufferedLines: 0,
      lastError: 'HTTP 400: partial write: field type conflict',
    });
    writer.enqueue(lines(3, 1));
    await clock.advanceByMs(10_000);
    expect(postedAtS()).toEqual([10, 20]);
    expect(bodies()[1]).toBe(lines(3, 1).join('\n'));
    expect(writer.counters()).toMatchObject({ linesWritten: 1, linesDropped: 2, failing: false });
  });

  it('waits as long as a 429’s Retry-After asks when that is longer than the backoff', async () => {
    const { clock, writer, influx, postedAtS } = setup();
    influx.answerNext({ status: 429, headers: { 'retry-after': '30' } });
    writer.enqueue(lines(1, 1));
    await clock.advanceByMs(60_000);
    // Not at 12 s (the backoff), and the flushes at 20 and 30 s leave the waiting retry alone.
    expect(postedAtS()).toEqual([10, 40]);
    expect(writer.counters()).toMatchObject({ linesWritten: 1, batchesFailed: 1 });
  });

  it('takes a Retry-After of a day as an hour', async () => {
    const { clock, writer, influx, postedAtS } = setup();
    influx.answerNext({ status: 503, headers: { 'retry-after': '86400' } });
    writer.enqueue(lines(1, 1));
    await clock.advanceByMs(3_620_000);
    expect(postedAtS()).toEqual([10, 3610]);
  });

  it('never has two requests in flight: a hanging write holds the flushes until its timeout', async () => {
    const { clock, writer, influx, postedAtS, bodies } = setup({ timeoutMs: 25_000 });
    influx.answerNext('hang');
    writer.enqueue(lines(1, 1));
    await clock.advanceByMs(10_000);
    writer.enqueue(lines(2, 1));
    await clock.advanceByMs(24_999);
    // The flushes at 20 and 30 s found the first write still on its way.
    expect(influx.inFlight).toBe(1);
    expect(postedAtS()).toEqual([10]);
    await clock.advanceByMs(20_000);
    // Timed out at 35 s, retried 2 s later with every line.
    expect(postedAtS()).toEqual([10, 37]);
    expect(bodies()[1]).toBe(lines(1, 2).join('\n'));
    expect(influx.maxInFlight).toBe(1);
    expect(writer.counters().lastError).toBe('no answer within 25000 ms');
  });
});

describe('InfluxWriter: the bounded buffer', () => {
  it('drops the oldest lines when full, counts them, and warns once', async () => {
    const { clock, writer, logger, bodies } = setup({ maxBufferedLines: 3 });
    writer.enqueue(lines(1, 4));
    writer.enqueue(lines(5, 1));
    expect(writer.counters()).toMatchObject({ linesDropped: 2, bufferedLines: 3 });
    await clock.advanceByMs(10_000);
    expect(bodies()).toEqual([lines(3, 3).join('\n')]);
    expect(logger.lines.map((l) => l.message)).toEqual([
      'influxdb: buffer full (3 lines); dropping the oldest',
    ]);
  });

  it('drops from a failed batch first (it is the oldest) while its retry waits', async () => {
    const { clock, writer, influx, bodies } = setup({ maxBufferedLines: 3 });
    influx.answerNext({ status: 503 });
    writer.enqueue(lines(1, 3));
    await clock.advanceByMs(10_000);
    writer.enqueue(lines(4, 2));
    expect(writer.counters()).toMatchObject({ linesDropped: 2, bufferedLines: 3 });
    await clock.advanceByMs(2000);
    expect(bodies()[1]).toBe(lines(3, 3).join('\n'));
  });

  it('counts the lines in flight against the bound, and never drops them', async () => {
    const { clock, writer, influx } = setup({ maxBufferedLines: 3 });
    influx.answerNext('hang');
    writer.enqueue(lines(1, 3));
    await clock.advanceByMs(10_000);
    writer.enqueue(lines(4, 2));
    expect(writer.counters()).toMatchObject({ linesDropped: 2, bufferedLines: 3 });
  });
});

describe('InfluxWriter: stop', () => {
  it('posts what is left once, then stops every timer and takes no more lines', async () => {
    const { clock, writer, influx, bodies, postedAtS } = setup();
    writer.enqueue(lines(1, 2));
    await clock.advanceByMs(4000);
    await writer.stop();
    expect(postedAtS()).toEqual([4]);
    expect(bodies()).toEqual([lines(1, 2).join('\n')]);
    writer.enqueue(lines(3, 1));
    await clock.advanceByMs(60_000);
    expect(influx.requests).toHaveLength(1);
    expect(clock.pendingTimers).toBe(0);
    expect(writer.counters()).toMatchObject({ linesWritten: 2, bufferedLines: 0 });
  });

  it('waits for the request in flight (bounded by its timeout), tries once more, and counts what is left as dropped', async () => {
    const { clock, writer, influx, logger, postedAtS } = setup();
    influx.answerNext('hang').answerAlways({ status: 503 });
    writer.enqueue(lines(1, 2));
    await clock.advanceByMs(10_000);
    let stopped = false;
    void writer.stop().then(() => (stopped = true));
    await clock.advanceByMs(4999);
    expect(stopped).toBe(false);
    await clock.advanceByMs(1);
    expect(stopped).toBe(true);
    expect(postedAtS()).toEqual([10, 15]);
    expect(writer.counters()).toMatchObject({ linesWritten: 0, linesDropped: 2, bufferedLines: 0 });
    expect(logger.lines.at(-1)?.message).toBe('influxdb: 2 line(s) not written at stop');
    await clock.advanceByMs(60_000);
    expect(influx.requests).toHaveLength(2);
    expect(clock.pendingTimers).toBe(0);
  });

  it('a retry that is waiting does not outlive stop', async () => {
    const { clock, writer, influx } = setup();
    influx.answerNext({ status: 503 }, { status: 503 });
    writer.enqueue(lines(1, 1));
    await clock.advanceByMs(10_000);
    await writer.stop(); // the one last try (503 again)
    await clock.advanceByMs(60_000);
    expect(influx.requests).toHaveLength(2);
    expect(writer.stop()).toBe(writer.stop());
  });
});
