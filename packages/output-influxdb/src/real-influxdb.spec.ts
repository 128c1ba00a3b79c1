import { activeFault, bmsStatus, moduleStatus } from '@tsbms/bms-core/testing';
import type { FaultEvent } from '@tsbms/fault-engine';
import fc from 'fast-check';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { faultEventPoint, statusPoints } from './influx-points';
import {
  encodePoint,
  integerField,
  LineProtocolError,
  type InfluxFieldValue,
  type InfluxPoint,
} from './line-protocol';
import { RealInfluxd } from './spec-support/real-influxd';
import {
  boolean,
  float,
  inStoredOrder,
  integer,
  intendedPoint,
  storedPoints,
  string,
  type StoredPoint,
} from './spec-support/stored-points';

/*
 * The contract with a real InfluxDB: the lines our encoder makes, written to a real influxd (Debian's
 * 1.6, /usr/bin/influxd, from tools/install-system-deps), and read back with InfluxQL. What the
 * server keeps — measurement, every tag, every field with its type, the time — must be what the
 * points meant. 1.6 has no /api/v2/write (1.8 added it); its /write?precision=ms reads the same
 * line protocol with the same parser. The v2 request itself is the stand-in server's test.
 */

const DB = 'tsbms';
const T = Date.UTC(2026, 11, 5, 12, 0, 0);

let influxd: RealInfluxd | undefined;

beforeAll(async () => {
  influxd = await RealInfluxd.start();
  await influxd.query(`CREATE DATABASE ${DB}`);
}, 30_000);

afterAll(async () => {
  await influxd?.stop();
}, 30_000);

function server(): RealInfluxd {
  if (influxd === undefined) throw new Error('influxd did not start');
  return influxd;
}

/** Encodes the points with our encoder, writes the lines, and returns what each point means. */
async function writeEncoded(points: readonly InfluxPoint[]): Promise<StoredPoint[]> {
  const lines: string[] = [];
  const intended: StoredPoint[] = [];
  for (const point of points) {
    const line = encodePoint(point);
    const meant = intendedPoint(point);
    expect(line === null).toBe(meant === null);
    if (line === null || meant === null) continue;
    lines.push(line);
    intended.push(meant);
  }
  await server().write(DB, lines);
  return intended;
}

const of = (measurement: string, points: readonly StoredPoint[]) =>
  inStoredOrder(points.filter((p) => p.measurement === measurement));

describe('a real InfluxDB (1.6, /write) reads our line protocol as we mean it', () => {
  it('the points of a status: the pack fields with their types, a point per cell and thermistor with its tags', async () => {
    const modules = [
      moduleStatus({
        address: 1,
        cellsV: [3.912, 3.905, 3.921, 3.9, 3.899, 3.91],
        temperaturesC: [21.5, null],
        balancing: [false, false, true, false, false, false],
      }),
      moduleStatus({ address: 2, cellsV: [3.9, 3.951, 3.9, 3.9, 3.9, 3.9], temperaturesC: [22.5, -3.25] }),
    ];
    const status = bmsStatus({
      timestampMs: T,
      modules,
      packVoltageV: 46.888,
      currentA: -31.25,
      socPercent: 64.5,
      powerW: -1465.25,
      faults: [activeFault({ kind: 'cellOverVoltage', level: 'fault' })],
      alerts: [
        activeFault({ kind: 'overTemperature', level: 'warning' }),
        activeFault({ kind: 'cellImbalance', level: 'info' }),
      ],
    });
    const points = statusPoints(status, { pack: 'garage', cells: true, temperatures: true });
    const intended = await writeEncoded(points);

    const pack = await storedPoints(server(), DB, 'tsbms_pack');
    expect(pack).toEqual([
      {
        measurement: 'tsbms_pack',
        tags: { pack: 'garage' },
        fields: {
          pack_voltage_v: float(46.888),
          current_a: float(-31.25),
          power_w: float(-1465.25),
          soc_percent: float(64.5),
          soh_percent: float(100),
          cvl_v: float(49.2),
          ccl_a: float(100),
          dcl_a: float(100),
          contactors_closed: boolean(true),
          contactor_state: string('CLOSED'),
          cell_min_voltage_v: float(3.899),
          cell_max_voltage_v: float(3.951),
          cell_spread_v: float(3.951 - 3.899),
          temperature_min_c: float(-3.25),
          temperature_max_c: float(22.5),
          faults_active: integer(1),
          alerts_active: integer(2),
          modules_found: integer(2),
        },
        timestampMs: T,
      },
    ]);
    expect(pack).toEqual(of('tsbms_pack', intended));

    const cells = await storedPoints(server(), DB, 'tsbms_cell');
    expect(cells).toHaveLength(12);
    expect(cells).toEqual(of('tsbms_cell', intended));
    expect(cells.find((p) => p.tags.module === '1' && p.tags.cell === '3')).toEqual({
      measurement: 'tsbms_cell',
      tags: { pack: 'garage', module: '1', cell: '3' },
      fields: { voltage_v: float(3.921), balancing: boolean(true) },
      timestampMs: T,
    });
    expect(cells.find((p) => p.tags.module === '2' && p.tags.cell === '2')?.fields).toEqual({
      voltage_v: float(3.951),
      balancing: boolean(false),
    });

    const temperatures = await storedPoints(server(), DB, 'tsbms_module_temperature');
    // The unknown thermistor (null) has no field, so no point.
    expect(temperatures.map((p) => [p.tags.module, p.tags.sensor, p.fields.temperature_c])).toEqual([
      ['1', '1', float(21.5)],
      ['2', '1', float(22.5)],
      ['2', '2', float(-3.25)],
    ]);
    expect(temperatures).toEqual(of('tsbms_module_temperature', intended));
  });

  it('fault events: the place with its spaces as a tag, the strings with quotes and backslashes as fields', async () => {
    const raise: FaultEvent = {
      type: 'raise',
      timestampMs: T + 1,
      kind: 'cellOverVoltage',
      level: 'fault',
      location: { moduleAddress: 2, cellIndex: 2, quantity: 'cellVoltage' },
      value: 4.213,
      source: 'engine',
      latched: true,
      detail: 'cell 3 at 4.213 V, limit "4.2 V"',
    };
    const rejected: FaultEvent = {
      ...raise,
      type: 'acknowledgeRejected',
      timestampMs: T + 2,
      location: {},
      value: null,
      source: 'http',
      detail: undefined,
      reason: 'still present: C:\\bms\\"cell 3" \\',
    };
    const intended = await writeEncoded([
      faultEventPoint(raise, 'garage'),
      faultEventPoint(rejected, 'garage'),
    ]);

    const stored = await storedPoints(server(), DB, 'tsbms_fault');
    expect(stored).toEqual([
      {
        measurement: 'tsbms_fault',
        tags: {
          pack: 'garage',
          kind: 'cellOverVoltage',
          level: 'fault',
          type: 'raise',
          location: 'module 2 cell 3',
        },
        fields: {
          value: float(4.213),
          latched: boolean(true),
          source: string('engine'),
          detail: string('cell 3 at 4.213 V, limit "4.2 V"'),
        },
        timestampMs: T + 1,
      },
      {
        measurement: 'tsbms_fault',
        tags: {
          pack: 'garage',
          kind: 'cellOverVoltage',
          level: 'fault',
          type: 'acknowledgeRejected',
          location: 'pack',
        },
        fields: {
          latched: boolean(true),
          source: string('http'),
          reason: string('still present: C:\\bms\\"cell 3" \\'),
        },
        timestampMs: T + 2,
      },
    ]);
    expect(stored).toEqual(inStoredOrder(intended));
  });

  describe('whatever the encoder accepts round-trips (property)', () => {
    // Characters line protocol must escape, quotes, tabs, '#', and text beyond ASCII.
    const awkward = fc.constantFrom(
      ' ',
      ',',
      '=',
      '"',
      "'",
      '\t',
      '#',
      '{',
      'a',
      'Z',
      '0',
      '.',
      '-',
      'é',
      '°',
      '€',
      'Ω',
      '日',
      '🔋',
      '\u00a0',
      '\u200b',
      '\u0000',
    );
    const text = (maxLength: number) =>
      fc.oneof(
        { weight: 3, arbitrary: fc.string({ unit: awkward, minLength: 1, maxLength }) },
        { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength }) },
      );
    // Now and then a backslash or a line break, which the encoder refuses in a name or tag value.
    const refusable = fc.string({
      unit: fc.constantFrom('\\', '\n', '\r', 'a', ' '),
      minLength: 1,
      maxLength: 4,
    });
    // Tabs and NULs inside names, not at their start: a leading one is refused (tested below), and
    // one refused field key would refuse its whole point too often to leave much to compare.
    const name = fc.oneof(
      { weight: 40, arbitrary: text(10).filter((key) => !/^[\t\0]/.test(key)) },
      { weight: 1, arbitrary: refusable },
    );
    const tagValue = fc.oneof(
      { weight: 15, arbitrary: text(12) },
      { weight: 2, arbitrary: fc.constant('') },
      { weight: 1, arbitrary: refusable },
    );

    type Kind = 'float' | 'integer' | 'boolean' | 'string';
    const valueOf: Record<Kind, fc.Arbitrary<InfluxFieldValue>> = {
      float: fc.oneof(
        fc.double(), // NaN, ±Infinity, -0, subnormals, ±MAX_VALUE among them
        fc.constantFrom(
          -0,
          5e-324,
          -5e-324,
          2.2250738585072014e-308,
          1.7976931348623157e308,
          -1e21,
          1e-7,
          0.1,
          -46.888,
        ),
      ),
      integer: fc
        .oneof(
          fc.maxSafeInteger(),
          fc.constantFrom(2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, -(2 ** 53), 2 ** 31, -(2 ** 31) - 1),
        )
        .map(integerField),
      boolean: fc.boolean(),
      string: fc.oneof(
        text(20),
        fc.string({
          unit: fc.constantFrom('\\', '"', '\\"', '"\\', 'a', ' ', ',', '=', '\n'),
          maxLength: 10,
        }),
      ),
    };

    // One measurement's schema: tag keys, and field keys each with one type (InfluxDB refuses a
    // field whose type changes within a shard), the two disjoint (a 1.x query would rename one).
    const schema = fc
      .record({
        suffix: name,
        tagKeys: fc.uniqueArray(name, { maxLength: 3 }),
        fieldKeys: fc.uniqueArray(
          fc.tuple(name, fc.constantFrom<Kind>('float', 'integer', 'boolean', 'string')),
          {
            minLength: 1,
            maxLength: 4,
            selector: ([key]) => key,
          },
        ),
      })
      .filter(({ tagKeys, fieldKeys }) => fieldKeys.every(([key]) => !tagKeys.includes(key)));

    const batch = schema.chain((s) =>
      fc.record({
        schema: fc.constant(s),
        points: fc.array(
          fc.record({
            tags: fc.tuple(...s.tagKeys.map(() => fc.option(tagValue, { nil: undefined }))),
            fields: fc.tuple(...s.fieldKeys.map(([, kind]) => fc.option(valueOf[kind], { freq: 6 }))),
          }),
          { minLength: 1, maxLength: 8 },
        ),
      }),
    );

    it('awkward measurement, tag keys and values, field keys; strings with quotes and backslashes; extreme floats and integers', async () => {
      let run = 0;
      let linesWritten = 0;
      let pointsRefused = 0;
      await fc.assert(
        fc.asyncProperty(batch, async ({ schema: s, points }) => {
          run += 1;
          const measurement = `lp${run}${s.suffix}`; // fresh in every run, shrinking too
          const encoded: string[] = [];
          const intended: StoredPoint[] = [];
          points.forEach((p, i) => {
            const point: InfluxPoint = {
              measurement,
              tags: Object.fromEntries(s.tagKeys.map((key, k) => [key, p.tags[k]])),
              fields: Object.fromEntries(s.fieldKeys.map(([key], k) => [key, p.fields[k]])),
              timestampMs: T + 10_000 + i, // one instant per point: no two points merge
            };
            let line: string | null;
            try {
              line = encodePoint(point);
            } catch (error) {
              if (!(error instanceof LineProtocolError)) throw error;
              pointsRefused += 1;
              return;
            }
            const meant = intendedPoint(point);
            expect(line === null).toBe(meant === null);
            if (line === null || meant === null) return;
            encoded.push(line);
            intended.push(meant);
          });
          if (encoded.length === 0) return;
          await server().write(DB, encoded);
          linesWritten += encoded.length;
          expect(await storedPoints(server(), DB, measurement)).toEqual(inStoredOrder(intended));
        }),
        { numRuns: 30 },
      );
      // The property wrote real batches, not only refusals.
      expect(linesWritten).toBeGreaterThan(20);
      expect(pointsRefused).toBeLessThan(linesWritten);
    }, 60_000);
  });

  describe('the server helper', () => {
    const folders = () => readdirSync(tmpdir()).filter((name) => name.startsWith('tsbms-influxd-'));

    it('a server that cannot start fails with its stderr, and its folder is removed', async () => {
      const before = folders();
      const start = RealInfluxd.start({
        editConfig: (config) =>
          config.replace(/^ {2}bind-address = .*$/m, '  bind-address = "127.0.0.1:not-a-port"'),
      });
      await expect(start).rejects.toThrow(
        /influxd exited \(1\) before answering GET \/ping; its stderr:\n[^]*not-a-port/,
      );
      expect(folders()).toEqual(before);
    }, 30_000);

    it('a server that never answers /ping fails when the wait is over, and is stopped', async () => {
      const before = folders();
      const start = RealInfluxd.start({
        editConfig: (config) => config.replace('[http]\n  enabled = true', '[http]\n  enabled = false'),
        startTimeoutMs: 500,
      });
      await expect(start).rejects.toThrow(
        /influxd did not answer GET \/ping with 204 within 500 ms \(last: no answer\)/,
      );
      expect(folders()).toEqual(before);
    }, 30_000);
  });
});

// Inputs the encoder accepts that InfluxDB keeps as something else: reported, line-protocol.ts
// not changed here. These tests pin what InfluxDB does now, and fail once the encoder refuses them.
describe('what a real InfluxDB would store as something else is refused', () => {
  it('a name starting with a tab or NUL: refused (InfluxDB dropped the tab: `\\tvoltage_v` became `voltage_v`)', async () => {
    // InfluxDB's parser skips spaces, tabs and NULs before the measurement and before the fields
    // (skipWhitespace in its models/points.go): written, these would be kept under another name.
    const tags = { pack: 'garage' };
    const at = T + 11;
    for (const point of [
      { measurement: '\tknown_m1', tags, fields: { f: 1 }, timestampMs: at },
      { measurement: '\0known_m2', tags, fields: { f: 1 }, timestampMs: at },
      { measurement: 'known_f1', tags, fields: { '\tvoltage_v': 3.9, balancing: true }, timestampMs: at },
      { measurement: 'known_f2', tags, fields: { '\0voltage_v': 3.9 }, timestampMs: at },
    ] satisfies InfluxPoint[]) {
      expect(() => encodePoint(point)).toThrow(/starts with a tab or NUL/);
    }
    // What the server does with such a line, shown once: the tab is gone.
    await server().write(DB, [`known_f3,pack=garage \tvoltage_v=3.9 ${at}`]);
    expect(await storedPoints(server(), DB, 'known_f3')).toEqual([
      { measurement: 'known_f3', tags, fields: { voltage_v: float(3.9) }, timestampMs: at },
    ]);
  });

  it('a lone UTF-16 surrogate: a tag value is refused, a string field left out (InfluxDB stored U+FFFD)', async () => {
    const tags = { pack: 'garage', location: 'module\uD8001' };
    expect(() =>
      encodePoint({ measurement: 'known_surrogate', tags, fields: { f: 1 }, timestampMs: T + 21 }),
    ).toThrow(/lone UTF-16 surrogate/);
    const line = encodePoint({
      measurement: 'known_surrogate',
      tags: { pack: 'garage' },
      fields: { detail: 'cell\uDC00 3', f: 1 },
      timestampMs: T + 21,
    }) as string;
    expect(line).toBe(`known_surrogate,pack=garage f=1 ${T + 21}`);
    await server().write(DB, [line, `known_surrogate,pack=garage detail="cell\uDC00 3" ${T + 22}`]);
    expect(await storedPoints(server(), DB, 'known_surrogate')).toEqual([
      {
        measurement: 'known_surrogate',
        tags: { pack: 'garage' },
        fields: { f: float(1) },
        timestampMs: T + 21,
      },
      {
        measurement: 'known_surrogate',
        tags: { pack: 'garage' },
        fields: { detail: string('cell\uFFFD 3') },
        timestampMs: T + 22,
      },
    ]);
  });
});
