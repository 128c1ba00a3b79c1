import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ConfigStore } from '../config';
import { commandHandlers, runCommand } from './commands';
import { FakeControllerContext } from '../services/testing/fake-context';
import { statusFixture } from './testing/status-fixture';
import { mqttTopics } from './topics';

const topics = mqttTopics('tsbms');
const handlers = commandHandlers(topics);
const handler = (topic: string) => {
  const found = handlers.get(topic);
  if (found === undefined) throw new Error(`no handler for ${topic}`);
  return found;
};

let dir: string;
let file: string;
let context: FakeControllerContext;
const ORIGINAL = 'pack:\n  moduleCount: 2\nhttp:\n  enabled: false\n';

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tsbms-mqtt-cmd-'));
  file = path.join(dir, 'bms.yaml');
  writeFileSync(file, ORIGINAL);
  context = new FakeControllerContext({ config: ConfigStore.open(file, {}), status: statusFixture() });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('config/set', () => {
  const set = (payload: string) => runCommand(handler(topics.configSet), payload, context);

  it('applies and persists a valid patch through the one config path, echoing the id', () => {
    const outcome = set(JSON.stringify({ id: 'a1', cells: { cellHighVoltageV: 4.05 } }));
    expect(outcome.response).toEqual({ id: 'a1', command: 'config/set', ok: true });
    expect(context.configChanges).toEqual([{ patch: { cells: { cellHighVoltageV: 4.05 } }, source: 'mqtt' }]);
    expect(readFileSync(file, 'utf8')).toContain('cellHighVoltageV: 4.05');
    expect(context.config().cells.cellHighVoltageV).toBe(4.05);
  });

  it.each([
    ['a wrong type', { id: 7, cells: { cellHighVoltageV: 'high' } }, 'cells.cellHighVoltageV'],
    ['an unknown key', { id: 7, cells: { cellHighVoltage: 4.05 } }, 'cells.cellHighVoltage'],
    ['a value out of range', { id: 7, pack: { moduleCount: 0 } }, 'pack.moduleCount'],
  ])('rejects %s with every issue, and persists nothing', (_, body, configPath) => {
    const { response } = set(JSON.stringify(body));
    expect(response).toMatchObject({
      id: 7,
      command: 'config/set',
      ok: false,
      error: { code: 'INVALID_CONFIG' },
    });
    if (response.ok) throw new Error('accepted');
    expect(response.error.issues?.map((i) => i.configPath)).toContain(configPath);
    expect(response.error.issues?.every((i) => i.reason.length > 0)).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(ORIGINAL);
    expect(context.configChanges).toEqual([]);
  });

  it.each([
    ['malformed JSON', '{"cells": ', null, /not valid JSON/],
    ['a JSON array', '[1,2]', null, /must be a JSON object/],
    ['an id of the wrong type', '{"id": {"x":1}, "pack": {"moduleCount": 3}}', null, /id must be/],
    ['no settings', '{"id": "x"}', 'x', /no settings/],
  ])('answers %s with BAD_REQUEST and persists nothing', (_, payload, id, message) => {
    const { response } = set(payload);
    expect(response).toMatchObject({
      id,
      ok: false,
      error: { code: 'BAD_REQUEST', message: expect.stringMatching(message) },
    });
    expect(readFileSync(file, 'utf8')).toBe(ORIGINAL);
  });
});

describe('faults/ack', () => {
  const ack = (payload: string) => runCommand(handler(topics.faultsAck), payload, context);

  it('passes kind and location to the acknowledge, with source mqtt, and reports the result', () => {
    const fault = {
      kind: 'cellOverVoltage',
      level: 'fault',
      location: { moduleAddress: 2, cellIndex: 2 },
      value: 4.0,
      sinceMs: 1,
      latched: true,
      clearable: true,
    } as const;
    context.acknowledgeResult = {
      accepted: [fault],
      rejected: [{ fault: { ...fault, level: 'warning' }, reason: 'still present' }],
    };
    const { response } = ack('{"id": 3, "kind": "cellOverVoltage", "location": {"moduleAddress": 2}}');
    expect(context.acknowledges).toEqual([
      { source: 'mqtt', kind: 'cellOverVoltage', location: { moduleAddress: 2 } },
    ]);
    expect(response).toEqual({
      id: 3,
      command: 'faults/ack',
      ok: true,
      accepted: [{ kind: 'cellOverVoltage', level: 'fault', location: { moduleAddress: 2, cellIndex: 2 } }],
      rejected: [
        {
          kind: 'cellOverVoltage',
          level: 'warning',
          location: { moduleAddress: 2, cellIndex: 2 },
          reason: 'still present',
        },
      ],
    });
  });

  it('an empty payload acknowledges everything acknowledgeable', () => {
    expect(ack('').response).toMatchObject({ id: null, ok: true });
    expect(context.acknowledges).toEqual([{ source: 'mqtt' }]);
  });

  it.each([
    ['{"kind": "meltdown"}', /kind/],
    ['{"location": {"moduleAddress": "two"}}', /location.moduleAddress/],
    ['{"force": true}', /force/],
  ])('rejects %s without acknowledging', (payload, message) => {
    expect(ack(payload).response).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST', message: expect.stringMatching(message) },
    });
    expect(context.acknowledges).toEqual([]);
  });

  it('a core that is restarting is an UNAVAILABLE answer, not an exception', () => {
    context.acknowledgeFaults = () => {
      throw new Error('the BMS core is restarting');
    };
    expect(ack('{"id": 1}').response).toEqual({
      id: 1,
      command: 'faults/ack',
      ok: false,
      error: { code: 'UNAVAILABLE', message: 'the BMS core is restarting' },
    });
  });
});

describe('restart', () => {
  it('answers first and restarts only when the caller runs afterResponse', () => {
    const outcome = runCommand(handler(topics.restart), '{"id": "r"}', context);
    expect(outcome.response).toEqual({ id: 'r', command: 'restart', ok: true });
    expect(context.restarts).toEqual([]);
    outcome.afterResponse?.();
    expect(context.restarts).toEqual([{ reason: 'restart requested', source: 'mqtt' }]);
  });

  it('refuses unknown fields and does not restart', () => {
    const outcome = runCommand(handler(topics.restart), '{"now": true}', context);
    expect(outcome.response.ok).toBe(false);
    expect(outcome.afterResponse).toBeUndefined();
  });
});
