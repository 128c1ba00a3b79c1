import { ManualClock } from '@tsbms/hal';
import { ConfigChangeError, type BmsStatus } from '@tsbms/bms-core';
import { bmsStatus, FakeOutputContext, moduleStatus } from '@tsbms/bms-core/testing';
import type { FaultEvent } from '@tsbms/fault-engine';
import { influxDbConfigSchema } from './influxdb-config';
import { startInfluxDbOutput, type InfluxDbOutputSettings } from './influxdb-output';
import { parseLines, ScriptedFetch, type ParsedPoint } from './testing';

/* The output on a FakeOutputContext in virtual time, its writes answered by a scripted fetch. */

const T0 = Date.UTC(2026, 11, 5, 12, 0, 0);
const SERVER = {
  enabled: true,
  url: 'http://influxdb.local:8086',
  org: 'home',
  bucket: 'battery',
  token: 't0ken',
};

const scanAt = (timestampMs: number): BmsStatus =>
  bmsStatus({
    timestampMs,
    modules: [moduleStatus({ address: 1, cellsV: [3.9, 3.91, 3.9, 3.9, 3.9, 3.9], temperaturesC: [20, 21] })],
    packVoltageV: 23.41,
    currentA: 5,
    socPercent: 50,
  });

const raise = (timestampMs: number, fields: Partial<FaultEvent> = {}): FaultEvent => ({
  type: 'raise',
  timestampMs,
  kind: 'cellOverVoltage',
  level: 'warning',
  location: { moduleAddress: 1, cellIndex: 0 },
  value: 4.16,
  source: 'engine',
  latched: false,
  ...fields,
});

async function setup(section: object = {}) {
  const clock = new ManualClock(T0);
  const influx = new ScriptedFetch(clock);
  const influxdb = influxDbConfigSchema.parse({ ...SERVER, ...section });
  const context = new FakeOutputContext<InfluxDbOutputSettings>({
    clock,
    settings: { influxdb },
    status: scanAt(T0),
  });
  const output = await startInfluxDbOutput({ fetch: influx.fetch })(context);
  if (output === null) throw new Error('the output did not start');
  /** Publishes a scan every 2 s for `seconds`. */
  const scan = async (seconds: number) => {
    for (let s = 0; s < seconds; s += 2) {
      context.publishStatus(scanAt(clock.now()));
      await clock.advanceByMs(2000);
    }
  };
  const points = (): ParsedPoint[] => influx.requests.flatMap((r) => parseLines(r.body));
  const seconds = (p: ParsedPoint) => ((p.timestampMs ?? 0) - T0) / 1000;
  return { clock, influx, context, output, scan, points, seconds };
}

describe('startInfluxDbOutput', () => {
  it('is off (null) unless the section is enabled', async () => {
    const influxdb = influxDbConfigSchema.parse({});
    const context = new FakeOutputContext({ settings: { influxdb }, status: scanAt(0) });
    await expect(startInfluxDbOutput()(context)).resolves.toBeNull();
  });

  it('refuses to start enabled without url, org or bucket (an application that skipped the schema)', async () => {
    const influxdb = { ...influxDbConfigSchema.parse(SERVER), url: null, bucket: null };
    const context = new FakeOutputContext({ settings: { influxdb }, status: scanAt(0) });
    const start = startInfluxDbOutput()(context);
    await expect(start).rejects.toBeInstanceOf(ConfigChangeError);
    await expect(start).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      issues: [
        { configPath: 'influxdb.url', reason: 'required when influxdb.enabled is true' },
        { configPath: 'influxdb.bucket', reason: 'required when influxdb.enabled is true' },
      ],
    });
  });
});

describe('InfluxDbOutput', () => {
  it('samples the latest scan every intervalS into points, posted every flushIntervalS', async () => {
    const { influx, output, scan, points, seconds } = await setup();
    await scan(30);
    // Samples at 10, 20, 30 s take the scans of 8, 18, 28 s; the flushes at 20 and 30 s post the
    // first two (a flush and a sample due at one instant: the flush first).
    expect(influx.requests.map((r) => ((r.atMs ?? 0) - T0) / 1000)).toEqual([20, 30]);
    await output.stop();
    const pack = points().filter((p) => p.measurement === 'tsbms_pack');
    expect(pack.map(seconds)).toEqual([8, 18, 28]);
    expect(pack[0].fields).toMatchObject({ pack_voltage_v: 23.41, current_a: 5, soc_percent: 50 });
    const cells = points().filter((p) => p.measurement === 'tsbms_cell' && seconds(p) === 8);
    expect(cells.map((p) => [p.tags.cell, p.fields.voltage_v])).toEqual([
      ['1', 3.9],
      ['2', 3.91],
      ['3', 3.9],
      ['4', 3.9],
      ['5', 3.9],
      ['6', 3.9],
    ]);
    expect(
      points().filter((p) => p.measurement === 'tsbms_module_temperature' && seconds(p) === 8),
    ).toHaveLength(2);
  });

  it('writes nothing for an interval without a scan: a stopped BMS shows as a gap', async () => {
    const { clock, context, output, points, seconds } = await setup({ intervalS: 5 });
    context.publishStatus(scanAt(T0));
    await clock.advanceByMs(60_000);
    await output.stop();
    expect(
      points()
        .filter((p) => p.measurement === 'tsbms_pack')
        .map(seconds),
    ).toEqual([0]);
  });

  it('takes the pack tag and leaves out cells and thermistors when switched off', async () => {
    const { output, scan, points } = await setup({ pack: 'garage', cells: false, temperatures: false });
    await scan(10);
    await output.stop();
    expect(points().map((p) => [p.measurement, p.tags.pack])).toEqual([['tsbms_pack', 'garage']]);
  });

  it('writes every fault event at its own time', async () => {
    const { clock, context, output, points, seconds } = await setup({ cells: false, temperatures: false });
    await clock.advanceByMs(3000);
    context.publishFault(raise(clock.now()));
    context.publishFault(raise(clock.now(), { type: 'clear', location: { moduleAddress: 1, cellIndex: 1 } }));
    await clock.advanceByMs(7000);
    const faults = points().filter((p) => p.measurement === 'tsbms_fault');
    expect(faults.map((p) => [seconds(p), p.tags.type, p.tags.location, p.fields.value])).toEqual([
      [3, 'raise', 'module 1 cell 1', 4.16],
      [3, 'clear', 'module 1 cell 2', 4.16],
    ]);
    await output.stop();
  });

  it('counts and logs (once) a point line protocol cannot carry, never throws, and writes the rest', async () => {
    const { clock, context, output, points } = await setup();
    const odd = raise(T0, { location: { contactor: 'main\\1' } });
    expect(() => context.publishFault(odd)).not.toThrow();
    context.publishFault(odd);
    context.publishFault(raise(T0));
    await clock.advanceByMs(10_000);
    expect(points().filter((p) => p.measurement === 'tsbms_fault')).toHaveLength(1);
    expect(output.status().details).toMatchObject({
      pointsRejected: 2,
      lastRejection:
        'line protocol: tsbms_fault: tag location value "contactor main\\\\1": contains a backslash',
    });
    expect(context.logger.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
    await output.stop();
  });

  it('never throws into the BMS, even for a status it cannot read', async () => {
    const { clock, context, output } = await setup();
    const broken = { ...scanAt(T0), modules: null } as unknown as BmsStatus;
    context.publishStatus(broken);
    await clock.advanceByMs(10_000);
    expect(output.status().details).toMatchObject({ pointsRejected: 1 });
    await output.stop();
  });

  it('reports what it has written, and degraded with the reason while writes fail', async () => {
    const { clock, influx, output, scan } = await setup({ cells: false, temperatures: false });
    await scan(20);
    await clock.advanceByMs(5000);
    expect(output.status()).toEqual({
      state: 'ok',
      message: 'http://influxdb.local:8086 battery: 1 line(s) written, the last 5 s ago',
      details: expect.objectContaining({
        url: 'http://influxdb.local:8086',
        org: 'home',
        bucket: 'battery',
        linesWritten: 1,
        linesDropped: 0,
        batchesFailed: 0,
        lastError: null,
        lastWriteAtMs: T0 + 20_000,
        lastWriteAgeS: 5,
      }),
    });
    expect(JSON.stringify(output.status())).not.toContain('t0ken');
    influx.answerAlways({ status: 503, body: '{"message":"too busy"}' });
    await scan(5);
    expect(output.status()).toMatchObject({
      state: 'degraded',
      message: 'http://influxdb.local:8086 battery: HTTP 503: too busy; 2 line(s) waiting',
    });
    await output.stop();
  });

  it('before any write: ok, nothing written', async () => {
    const { output } = await setup();
    expect(output.status()).toMatchObject({
      state: 'ok',
      message: 'http://influxdb.local:8086 battery: 0 line(s) written',
    });
    await output.stop();
  });

  it('stop() posts what is buffered once, then takes nothing more', async () => {
    const { clock, context, influx, output, points } = await setup({ cells: false, temperatures: false });
    context.publishFault(raise(T0));
    await output.stop();
    expect(influx.requests).toHaveLength(1);
    expect(points().map((p) => p.measurement)).toEqual(['tsbms_fault']);
    context.publishFault(raise(T0 + 1));
    context.publishStatus(scanAt(T0 + 1));
    await clock.advanceByMs(60_000);
    expect(influx.requests).toHaveLength(1);
    expect(clock.pendingTimers).toBe(0);
  });
});
