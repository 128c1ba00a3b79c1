import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseLines, type ParsedPoint } from '@tsbms/output-influxdb/testing';
import { scoped } from '@tsbms/test-support';
import { ControllerDaemon } from './process-harness';

/**
 * The InfluxDB output end to end: the real controller on its demo pack (4 modules) writes to a
 * loopback HTTP server standing in for InfluxDB's v2 write API (a real InfluxDB 2 is not packaged
 * for this machine; the package's contract test checks the lines against a real InfluxDB 1.6).
 * The token comes from the environment and never shows in the API.
 */
const TOKEN = 'e2e-influx-token-3f9a';

interface WriteRequest {
  readonly url: URL;
  readonly authorization: string | undefined;
  readonly points: ParsedPoint[];
}

function body(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

let workDir: string;
beforeAll(() => (workDir = mkdtempSync(path.join(tmpdir(), 'tsbms-e2e-influx-'))));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

it(
  'writes the pack, every cell and thermistor as line protocol to /api/v2/write with the token from the environment',
  scoped(async (scope) => {
    const writes: WriteRequest[] = [];
    let wrote: () => void = () => undefined;
    const server = createServer((request, response) => {
      void body(request).then((text) => {
        writes.push({
          url: new URL(request.url ?? '/', 'http://stand-in'),
          authorization: request.headers.authorization,
          points: parseLines(text),
        });
        response.writeHead(204).end();
        wrote();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    scope.add(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;

    const configFile = path.join(workDir, 'bms.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        pollIntervalS: 0.25,
        http: { port: 0 },
        influxdb: {
          enabled: true,
          url: `http://127.0.0.1:${port}`,
          org: 'home',
          bucket: 'battery',
          pack: 'garage',
          intervalS: 1,
          flushIntervalS: 1,
        },
      }),
    );
    const daemon = new ControllerDaemon(scope, ['--config', configFile], {
      ...process.env,
      TSBMS_INFLUXDB_TOKEN: TOKEN,
    });
    const { url } = await daemon.waitFor((line) => line.event === 'http' && typeof line.url === 'string');

    // Bounded by the harness's caps: two writes with a pack point each (real time, a few seconds).
    const deadline = Date.now() + 20_000;
    const packPoints = () => writes.flatMap((w) => w.points).filter((p) => p.measurement === 'tsbms_pack');
    while (packPoints().length < 2) {
      if (Date.now() > deadline) throw new Error(`${writes.length} write(s) within 20 s`);
      await new Promise<void>((resolve) => (wrote = resolve));
    }

    const [first] = writes;
    expect(first.url.pathname).toBe('/api/v2/write');
    expect(Object.fromEntries(first.url.searchParams)).toEqual({
      org: 'home',
      bucket: 'battery',
      precision: 'ms',
    });
    expect(first.authorization).toBe(`Token ${TOKEN}`);

    const points = writes.flatMap((w) => w.points);
    const [pack] = packPoints();
    expect(pack.tags).toEqual({ pack: 'garage' });
    expect(pack.fields.pack_voltage_v).toBeGreaterThan(4 * 6 * 3);
    expect(pack.fields.pack_voltage_v).toBeLessThan(4 * 6 * 4.3);
    expect(typeof pack.fields.contactors_closed).toBe('boolean');
    // Each sample carries every cell of the 4 modules, tagged by module and cell, at the pack's time.
    const cells = points.filter((p) => p.measurement === 'tsbms_cell' && p.timestampMs === pack.timestampMs);
    expect(cells.map((p) => `${p.tags.module}/${p.tags.cell}`).sort()).toEqual(
      [1, 2, 3, 4].flatMap((m) => [1, 2, 3, 4, 5, 6].map((c) => `${m}/${c}`)).sort(),
    );
    expect(cells.every((p) => typeof p.fields.voltage_v === 'number')).toBe(true);

    // The output reports itself, and the token stays out of the API.
    const status = (await (await fetch(new URL('/api/status', String(url)))).json()) as {
      outputs: Record<string, { state: string }>;
    };
    expect(status.outputs.influxdb?.state).toBe('ok');
    const config = await (await fetch(new URL('/api/config', String(url)))).text();
    expect(config).not.toContain(TOKEN);
    expect(await daemon.stop()).toBe(0);
  }),
  60_000,
);
