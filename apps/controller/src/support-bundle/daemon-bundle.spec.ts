import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { RECORDING_HEADER } from '@tsbms/bms-core';
import { ManualClock } from '@tsbms/hal';
import { daemonSupportBundle, type DaemonBundleSources } from './daemon-bundle';
import { extractWithSystemTar } from './testing/bundle-fixtures';
import { CREATED_AT_MS, INFLUX_TOKEN, MQTT_PASSWORD, runningConfig } from './testing/bundle-input-fixture';

describe('daemonSupportBundle: the dashboard’s bundle, from the live context', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'tsbms-daemon-bundle-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const status = {
    timestampMs: CREATED_AT_MS,
    comms: { framesOk: 1520 },
    outputs: { can: { state: 'ok', message: 'can0' } },
  };
  const linkStats = { totals: { framesOk: 1520 }, perModule: { 1: { framesOk: 760 }, 2: { framesOk: 760 } } };
  const faultEvents = [{ type: 'raise', timestampMs: CREATED_AT_MS - 5000, kind: 'cellOverVoltage' }];

  function sources(
    overrides: Partial<DaemonBundleSources['context']> = {},
    recordFile: string | null = null,
  ) {
    const queried: [number, number][] = [];
    const config = { ...runningConfig(), recordFile };
    const context = {
      config: () => config,
      status: () => status,
      faultEvents: () => faultEvents,
      linkStats: () => linkStats,
      ...overrides,
    } as unknown as DaemonBundleSources['context'];
    return {
      queried,
      sources: {
        context,
        history: {
          events: (fromMs: number, toMs: number) => {
            queried.push([fromMs, toMs]);
            return [{ atMs: CREATED_AT_MS - 1000, kind: 'contactors', detail: { state: 'OPEN' } }];
          },
        },
        env: { TSBMS_INFLUXDB_TOKEN: INFLUX_TOKEN },
        clock: new ManualClock(CREATED_AT_MS),
        controllerVersion: '0.1.0',
      } satisfies DaemonBundleSources,
    };
  }

  it('holds the status, the fault log, the history’s last 30 days, the bus counters and the recording; no secret', () => {
    const recordFile = path.join(dir, 'night.jsonl');
    writeFileSync(
      recordFile,
      `${RECORDING_HEADER}\n{"discoveredModules":2,"reading":{"timestampMs":1,"modules":[]}}\n`,
    );
    const { sources: daemon, queried } = sources({}, recordFile);
    const bundle = daemonSupportBundle(daemon);
    expect(bundle.fileName).toBe('tsbms-support-2026-12-06T061500Z.tar.gz');
    const archive = path.join(dir, bundle.fileName);
    writeFileSync(archive, bundle.body);
    const files = extractWithSystemTar(archive, path.join(dir, 'x'));
    const read = (name: string) => JSON.parse(files.get(name)?.toString('utf8') ?? 'null');
    expect(read('status.json')).toEqual(status);
    expect(read('link-stats.json')).toEqual(linkStats);
    expect(read('events.json')).toMatchObject({
      faultLog: { events: faultEvents },
      history: { source: "the daemon's history file", events: [{ kind: 'contactors' }] },
    });
    expect(queried).toEqual([[CREATED_AT_MS - 30 * 24 * 3600 * 1000, CREATED_AT_MS + 60_000]]);
    expect(files.get('recording.jsonl')?.toString('utf8')).toContain('"discoveredModules":2');
    expect(read('config.json').config.influxdb.token).toBe('***');
    expect(read('config.json').environment).toEqual({ 'influxdb.token': 'TSBMS_INFLUXDB_TOKEN' });
    const tar = gunzipSync(bundle.body);
    for (const secret of [MQTT_PASSWORD, INFLUX_TOKEN]) expect(tar.includes(Buffer.from(secret))).toBe(false);
  });

  it('while the core restarts: what cannot be read is named, the rest is there', () => {
    const restarting = () => {
      throw new Error('the BMS core has not started');
    };
    const bundle = daemonSupportBundle(sources({ status: restarting, linkStats: () => null }).sources);
    const archive = path.join(dir, 'b.tar.gz');
    writeFileSync(archive, bundle.body);
    const files = extractWithSystemTar(archive, path.join(dir, 'x'));
    expect(JSON.parse(files.get('status.json')?.toString('utf8') ?? '')).toEqual({
      notIncluded: 'the BMS core has not started',
    });
    expect(JSON.parse(files.get('link-stats.json')?.toString('utf8') ?? '')).toEqual({
      notIncluded: 'the pack source keeps no bus counters',
    });
    expect(files.has('recording.jsonl')).toBe(false);
    expect(files.get('README.txt')?.toString('utf8')).toContain(
      'recording.jsonl     not included: recordFile is not set, so no readings are recorded.',
    );
  });
});
