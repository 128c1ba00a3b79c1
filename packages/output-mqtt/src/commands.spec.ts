import { ConfigChangeError, type ConfigUpdate } from '@tsbms/bms-core';
import { FakeOutputContext } from '@tsbms/bms-core/testing';
import { statusFixture } from './testing/status-fixture';
import {
  commandErrorOf as errorOf,
  TEST_COMMAND_TOKEN as TOKEN,
  TestCommandRunner,
} from './testing/test-commands';

/*
 * The commands without a broker, over bms-core's FakeOutputContext. What a config/set does to an
 * application's configuration (validation, policy, config paths, the file) is that application's
 * to test, as the controller does; here the configuration is a recording.
 */

/** A context whose configuration records each patch and answers with `answer`. */
class RecordingContext extends FakeOutputContext<unknown> {
  readonly patches: { patch: unknown; source: string }[] = [];
  answer: (patch: unknown) => ConfigUpdate = () => ({
    config: {},
    changedPaths: ['pollIntervalS'],
    effect: 'restart',
    restart: { accepted: true, inS: 2 },
  });

  override readonly configuration = {
    current: () => undefined,
    update: (patch: unknown, source: string): ConfigUpdate => {
      this.patches.push({ patch, source });
      return this.answer(patch);
    },
  };
}

let context: RecordingContext;
let runner: TestCommandRunner;
let topics: TestCommandRunner['topics'];

beforeEach(() => {
  context = new RecordingContext({ settings: null, status: statusFixture() });
  runner = new TestCommandRunner(context, context.clock);
  topics = runner.topics;
});

/** A command with the right token unless the body says otherwise. */
const send = (topic: string, body: Record<string, unknown> | string) => runner.send(topic, body);

describe('authorisation', () => {
  it('refuses acknowledges and restarts without the token too', async () => {
    for (const topic of [topics.faultsAck, topics.restart]) {
      const response = await send(topic, '{"id": 2}');
      expect(errorOf(response).code).toBe('UNAUTHORIZED');
    }
    expect(context.acknowledges).toEqual([]);
    expect(context.restarts).toEqual([]);
  });

  it('backs off after wrong tokens: refused without a check until the wait is over, then the right one works', async () => {
    await send(topics.restart, { token: 'guess-1' });
    const throttled = await send(topics.restart, {});
    expect(errorOf(throttled)).toEqual({
      code: 'TOO_MANY_ATTEMPTS',
      message: 'too many wrong tokens: retry in 1 s',
      retryAfterS: 1,
    });
    await context.clock.advanceByMs(1000);
    expect((await send(topics.restart, {})).ok).toBe(true);
  });

  it('never echoes the token', async () => {
    const responses = [
      await send(topics.configSet, { id: 'x', cells: { cellHighVoltageV: 'high' } }),
      await send(topics.restart, { id: 'y' }),
    ];
    expect(JSON.stringify(responses)).not.toContain(TOKEN);
  });
});

describe('config/set', () => {
  it('hands the settings, without id and token, to the configuration with source mqtt, and answers with what changed', async () => {
    const response = await send(topics.configSet, { id: 'a1', pollIntervalS: 2 });
    expect(context.patches).toEqual([{ patch: { pollIntervalS: 2 }, source: 'mqtt' }]);
    expect(response).toEqual({
      id: 'a1',
      command: 'config/set',
      ok: true,
      changed: ['pollIntervalS'],
      effect: 'restart',
      restartInS: 2,
    });
  });

  it('a live setting is answered as applied, with no restart', async () => {
    context.answer = () => ({
      config: {},
      changedPaths: ['cells.cellHighVoltageV'],
      effect: 'live',
      restart: null,
    });
    expect(await send(topics.configSet, { id: 'l', cells: { cellHighVoltageV: 4.05 } })).toEqual({
      id: 'l',
      command: 'config/set',
      ok: true,
      changed: ['cells.cellHighVoltageV'],
      effect: 'live',
    });
  });

  it('a change that changes nothing is answered without a restart', async () => {
    context.answer = () => ({ config: {}, changedPaths: [], effect: null, restart: null });
    expect(await send(topics.configSet, { id: 'n', pack: { moduleCount: 2 } })).toEqual({
      id: 'n',
      command: 'config/set',
      ok: true,
      changed: [],
    });
  });

  it('a refused restart is a RESTART_REFUSED answer with the wait', async () => {
    context.answer = () => ({
      config: {},
      changedPaths: ['pollIntervalS'],
      effect: 'restart',
      restart: { accepted: false, reason: 'the last restart began 3 s ago', retryAfterS: 57 },
    });
    expect(errorOf(await send(topics.configSet, { pollIntervalS: 2 }))).toEqual({
      code: 'RESTART_REFUSED',
      message: 'the last restart began 3 s ago',
      retryAfterS: 57,
    });
  });

  it('a rejected configuration is answered with its code and every issue', async () => {
    const issues = [
      { configPath: 'cells.cellHighVoltageV', reason: 'expected number, received string' },
      { configPath: 'pack.moduleCount', reason: 'too small' },
    ];
    context.answer = () => {
      throw new ConfigChangeError('INVALID_CONFIG', issues);
    };
    const error = errorOf(await send(topics.configSet, { id: 7, cells: { cellHighVoltageV: 'high' } }));
    expect(error).toEqual({ code: 'INVALID_CONFIG', message: expect.any(String), issues });
  });

  it.each([
    ['malformed JSON', '{"cells": ', null, /not valid JSON/],
    ['a JSON array', '[1,2]', null, /must be a JSON object/],
    ['an id of the wrong type', `{"id": {"x":1}, "token": "${TOKEN}"}`, null, /id must be/],
    ['no settings', `{"id": "x", "token": "${TOKEN}"}`, 'x', /no settings/],
  ])('answers %s with BAD_REQUEST, without reaching the configuration', async (_, payload, id, message) => {
    const response = await send(topics.configSet, payload);
    expect(response).toMatchObject({
      id,
      ok: false,
      error: { code: 'BAD_REQUEST', message: expect.stringMatching(message) },
    });
    expect(context.patches).toEqual([]);
  });
});

describe('faults/ack', () => {
  it('passes kind and location to the acknowledge, with source mqtt, and reports the result', async () => {
    const fault = {
      kind: 'cellOverVoltage',
      level: 'fault',
      location: { moduleAddress: 2, cellIndex: 2 },
      value: 4.0,
      now: null,
      sinceMs: 1,
      latched: true,
      clearable: true,
    } as const;
    context.acknowledgeResult = {
      accepted: [fault],
      rejected: [{ fault: { ...fault, level: 'warning' }, reason: 'still present' }],
    };
    const response = await send(topics.faultsAck, {
      id: 3,
      kind: 'cellOverVoltage',
      location: { moduleAddress: 2 },
    });
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

  it('only the token acknowledges everything acknowledgeable', async () => {
    expect(await send(topics.faultsAck, {})).toMatchObject({ id: null, ok: true });
    expect(context.acknowledges).toEqual([{ source: 'mqtt' }]);
  });

  it.each([
    [{ kind: 'meltdown' }, /kind/],
    [{ location: { moduleAddress: 'two' } }, /location.moduleAddress/],
    [{ force: true }, /force/],
  ])('rejects %j without acknowledging', async (body, message) => {
    expect(await send(topics.faultsAck, body)).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST', message: expect.stringMatching(message) },
    });
    expect(context.acknowledges).toEqual([]);
  });

  it('a core that is restarting is an UNAVAILABLE answer, not an exception', async () => {
    context.acknowledgeFaults = () => {
      throw new Error('the BMS core is restarting');
    };
    expect(await send(topics.faultsAck, { id: 1 })).toEqual({
      id: 1,
      command: 'faults/ack',
      ok: false,
      error: { code: 'UNAVAILABLE', message: 'the BMS core is restarting' },
    });
  });
});

describe('restart', () => {
  it('answers with when the restart begins', async () => {
    expect(await send(topics.restart, { id: 'r' })).toEqual({
      id: 'r',
      command: 'restart',
      ok: true,
      restartInS: 0,
    });
    expect(context.restarts).toEqual([{ reason: 'restart requested', source: 'mqtt' }]);
  });

  it('passes a refusal on, with the wait', async () => {
    context.restartDecision = { accepted: false, reason: 'the last restart began 3 s ago', retryAfterS: 57 };
    expect(errorOf(await send(topics.restart, { id: 'r' }))).toEqual({
      code: 'RESTART_REFUSED',
      message: 'the last restart began 3 s ago',
      retryAfterS: 57,
    });
  });

  it('refuses unknown fields and does not restart', async () => {
    expect((await send(topics.restart, { now: true })).ok).toBe(false);
    expect(context.restarts).toEqual([]);
  });
});
