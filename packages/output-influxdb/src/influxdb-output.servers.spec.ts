import { ManualClock } from '@tsbms/hal';
import type { BmsStatus, OutputService } from '@tsbms/bms-core';
import { bmsStatus, FakeOutputContext, moduleStatus } from '@tsbms/bms-core/testing';
import { influxDbConfigSchema } from './influxdb-config';
import { startInfluxDbOutput, type InfluxDbOutputSettings } from './influxdb-output';
import { integerField } from './line-protocol';
import { InfluxStandIn } from './spec-support/influx-stand-in';
import { parseLines } from './testing';

/*
 * The output with Node's real fetch against a real HTTP server on loopback standing in for
 * InfluxDB's /api/v2/write. Sampling and flushing run in virtual time (ManualClock); the writes
 * are real network I/O, so each check waits (bounded) until the server has what was sent. Virtual
 * time is moved only up to the instant of a flush while a write is on its way: the write's timeout
 * runs on the same clock, and moving past it would abort the request before the server could answer.
 */

const T0 = Date.UTC(2026, 11, 5, 12, 0, 0);
const TOKEN = 'influx-write-token==';

let influx: InfluxStandIn;
const running: OutputService[] = [];

beforeAll(async () => {
  influx = await InfluxStandIn.start();
});

afterAll(async () => {
  for (const output of running) await output.stop();
  await influx?.close();
});

const scanAt = (timestampMs: number): BmsStatus =>
  bmsStatus({
    timestampMs,
    modules: [
      moduleStatus({
        address: 1,
        cellsV: [3.912, 3.905, 3.921, 3.9, 3.899, 3.91],
        temperaturesC: [21.5, 22],
      }),
      moduleStatus({ address: 2, cellsV: [3.93, 3.9, 3.9, 3.9, 3.9, 3.888], temperaturesC: [23, null] }),
    ],
    packVoltageV: 46.988,
    currentA: -31.25,
    socPercent: 71.5,
    powerW: -1468.375,
    limits: { cvlV: 49.8, cclA: 80, dclA: 120 },
  });

async function start(section: object = {}) {
  const clock = new ManualClock(T0);
  const influxdb = influxDbConfigSchema.parse({
    enabled: true,
    url: influx.url,
    org: 'home org',
    bucket: 'battery/autogen',
    token: TOKEN,
    pack: 'garage',
    ...section,
  });
  const context = new FakeOutputContext<InfluxDbOutputSettings>({
    clock,
    settings: { influxdb },
    status: scanAt(T0),
  });
  const output = await startInfluxDbOutput()(context);
  if (output === null) throw new Error('the output did not start');
  running.push(output);
  return { clock, context, output };
}

/** Waits, at most 5 s of real time, until the output's status has `details` (the answer has been read). */
async function statusShows(output: OutputService, state: 'ok' | 'degraded', details: object): Promise<void> {
  const shows = () => {
    try {
      expect(output.status()).toMatchObject({ state, details });
      return true;
    } catch {
      return false;
    }
  };
  const until = Date.now() + 5000;
  while (!shows() && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  expect(output.status()).toMatchObject({ state, details });
}

describe('InfluxDbOutput against a local stand-in for InfluxDB’s write API', () => {
  it('POSTs line protocol to /api/v2/write with org, bucket, precision=ms and the token; the points carry the status', async () => {
    const { clock, context, output } = await start();
    const status = scanAt(T0 + 9000);
    context.publishStatus(status);
    await clock.advanceByMs(20_000); // sampled at 10 s, posted at 20 s
    await influx.received(1);
    const [write] = influx.writes;
    expect(write.method).toBe('POST');
    expect(write.path).toBe('/api/v2/write');
    expect(Object.fromEntries(write.query)).toEqual({
      org: 'home org',
      bucket: 'battery/autogen',
      precision: 'ms',
    });
    expect(write.headers.authorization).toBe(`Token ${TOKEN}`);
    expect(write.headers['content-type']).toBe('text/plain; charset=utf-8');

    const points = parseLines(write.body);
    expect(points).toHaveLength(1 + 12 + 3); // the pack, 12 cells, 3 known thermistors
    expect(points.every((p) => p.timestampMs === status.timestampMs && p.tags.pack === 'garage')).toBe(true);
    const pack = points.find((p) => p.measurement === 'tsbms_pack');
    expect(pack?.fields).toEqual({
      pack_voltage_v: status.packVoltageV,
      current_a: status.currentA,
      power_w: status.powerW,
      soc_percent: status.socPercent,
      soh_percent: status.sohPercent,
      cvl_v: status.limits?.cvlV,
      ccl_a: status.limits?.cclA,
      dcl_a: status.limits?.dclA,
      contactors_closed: true,
      contactor_state: status.contactors.state,
      cell_min_voltage_v: status.extremes.lowestCell?.voltageV,
      cell_max_voltage_v: status.extremes.highestCell?.voltageV,
      cell_spread_v: status.extremes.cellSpreadV,
      temperature_min_c: status.extremes.lowestTemperature?.temperatureC,
      temperature_max_c: status.extremes.highestTemperature?.temperatureC,
      faults_active: integerField(0),
      alerts_active: integerField(0),
      modules_found: integerField(2),
    });
    const cellVoltages = points
      .filter((p) => p.measurement === 'tsbms_cell')
      .map((p) => [Number(p.tags.module), Number(p.tags.cell), p.fields.voltage_v]);
    expect(cellVoltages).toEqual(
      status.modules.flatMap((m) => m.cells.map((c, i) => [m.address, i + 1, c.voltageV])),
    );
    await statusShows(output, 'ok', { linesWritten: 16, batchesFailed: 0 });
  });

  it('a write answered 503 is sent again, the same lines, after the backoff, and then counted written', async () => {
    influx.writes.length = 0;
    influx.answerNext({
      status: 503,
      body: '{"code":"unavailable","message":"too many writes"}',
      headers: { 'content-type': 'application/json' },
    });
    const { clock, context, output } = await start({ cells: false, temperatures: false });
    context.publishStatus(scanAt(T0 + 1000));
    await clock.advanceByMs(10_000); // sampled at 10 s
    context.publishFault({
      type: 'raise',
      timestampMs: T0 + 10_000,
      kind: 'cellOverVoltage',
      level: 'warning',
      location: { moduleAddress: 2, cellIndex: 0 },
      value: 4.16,
      source: 'engine',
      latched: false,
    });
    await clock.advanceByMs(10_000); // posted at 20 s
    await influx.received(1);
    await statusShows(output, 'degraded', { batchesFailed: 1 });
    expect(output.status().message).toBe(
      `${influx.url} battery/autogen: HTTP 503 Service Unavailable: too many writes; 2 line(s) waiting`,
    );
    await clock.advanceByMs(2000); // the first retry
    await influx.received(2);
    await statusShows(output, 'ok', { linesWritten: 2, batchesFailed: 1, linesDropped: 0 });
    expect(influx.writes.map((w) => w.status)).toEqual([503, 204]);
    expect(influx.writes[1].body).toBe(influx.writes[0].body);
    expect(parseLines(influx.writes[1].body).map((p) => p.measurement)).toEqual([
      'tsbms_pack',
      'tsbms_fault',
    ]);
  });

  it('a write refused with 400 is dropped, and the log names the status and InfluxDB’s message', async () => {
    influx.writes.length = 0;
    influx.answerNext({
      status: 400,
      body: '{"code":"invalid","message":"partial write: field type conflict: input field \\"soc_percent\\" is type float, already exists as type integer dropped=1"}',
      headers: { 'content-type': 'application/json' },
    });
    const { clock, context, output } = await start({ cells: false, temperatures: false });
    context.publishStatus(scanAt(T0 + 1000));
    await clock.advanceByMs(20_000);
    await influx.received(1);
    await statusShows(output, 'degraded', { linesDropped: 1 });
    const error = context.logger.lines.find((l) => l.level === 'error');
    expect(error?.message).toBe(
      'influxdb: write refused (HTTP 400 Bad Request: partial write: field type conflict: input field "soc_percent" is type float, already exists as type integer dropped=1); 1 line(s) dropped',
    );
    expect(error?.fields).toMatchObject({ status: 400 });
    await clock.advanceByMs(30_000);
    expect(influx.writes).toHaveLength(1);
    expect(output.status().details).toMatchObject({ linesDropped: 1, bufferedLines: 0, linesWritten: 0 });
  });
});
