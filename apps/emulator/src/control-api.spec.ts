import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '@tsbms/hal';
import { EmulatedChain } from '@tsbms/module-emulator';
import { createControlApi } from './control-api';

/** The API on a real loopback socket, against a chain in virtual time. */
describe('emulator control API', () => {
  let chain: EmulatedChain;
  let server: Server;
  let base: string;

  beforeEach(async () => {
    chain = new EmulatedChain({ clock: new ManualClock(), modules: 2, seed: 3, cellVoltagesV: [3.9] });
    server = createControlApi(chain).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await chain.close();
  });

  const call = async (method: string, path: string, body?: unknown, raw?: string) => {
    const response = await fetch(base + path, {
      method,
      headers: { 'content-type': 'application/json' },
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  /** Everything but the clock, to prove a rejected request changed nothing. */
  const state = () => {
    return JSON.stringify({ ...chain.snapshot(), timeMs: undefined });
  };

  it('returns the whole state', async () => {
    const { status, body } = await call('GET', '/api/state');
    expect(status).toBe(200);
    expect(body.modules).toHaveLength(2);
    expect(body.modules[0].cells).toHaveLength(6);
    expect(body.modules[1].cells[5].voltageV).toBeCloseTo(3.9, 3);
  });

  it('sets a cell voltage, a cell SoC, temperatures, pack current and ambient', async () => {
    expect((await call('PUT', '/api/modules/2/cells/3', { voltageV: 4.05 })).status).toBe(204);
    // At rest the terminal voltage is the one set; the current set below adds an IR drop.
    expect(chain.snapshot().modules[1].cells[2].voltageV).toBeCloseTo(4.05, 6);
    expect((await call('PUT', '/api/modules/1/cells/1', { socPercent: 20 })).status).toBe(204);
    expect((await call('PUT', '/api/modules/1/thermistors/2', { temperatureC: 41.5 })).status).toBe(204);
    expect((await call('PUT', '/api/modules/2/temperature', { temperatureC: 30 })).status).toBe(204);
    expect((await call('PUT', '/api/pack/current', { currentA: -12 })).status).toBe(204);
    expect((await call('PUT', '/api/ambient', { temperatureC: 5 })).status).toBe(204);
    const s = chain.snapshot();
    expect(s.modules[1].cells[2].voltageV).toBeLessThan(4.05);
    expect(s.modules[0].cells[0].socPercent).toBeCloseTo(20, 6);
    expect(s.modules[0].thermistors[1].temperatureC).toBe(41.5);
    expect(s.modules[1].temperatureC).toBe(30);
    expect(s.packCurrentA).toBe(-12);
    expect(s.ambientC).toBe(5);
  });

  it('starts, lists and stops faults', async () => {
    const started = await call('POST', '/api/faults', { kind: 'openThermistor', module: 1, thermistor: 2 });
    expect(started).toEqual({ status: 201, body: { key: 'openThermistor:1:2' } });
    expect((await call('GET', '/api/faults')).body).toEqual({
      faults: [{ key: 'openThermistor:1:2', kind: 'openThermistor', module: 1, thermistor: 2 }],
    });
    expect((await call('DELETE', '/api/faults/openThermistor:1:2')).status).toBe(204);
    expect(chain.activeFaults()).toEqual([]);
  });

  it('accepts scenario-style commands', async () => {
    expect(await call('POST', '/api/commands', { action: 'setPackCurrent', currentA: 7 })).toEqual({
      status: 200,
      body: {},
    });
    expect(chain.snapshot().packCurrentA).toBe(7);
  });

  it.each([
    ['unknown module', 'PUT', '/api/modules/3/cells/1', { voltageV: 3.9 }, 'UNKNOWN_MODULE'],
    ['cell index out of range', 'PUT', '/api/modules/1/cells/7', { voltageV: 3.9 }, 'CELL_OUT_OF_RANGE'],
    ['voltage not a number', 'PUT', '/api/modules/1/cells/1', { voltageV: 'high' }, 'NOT_A_NUMBER'],
    ['voltage outside the curve', 'PUT', '/api/modules/1/cells/1', { voltageV: 9 }, 'VALUE_OUT_OF_RANGE'],
    ['no value in the body', 'PUT', '/api/modules/1/cells/1', { volts: 3.9 }, 'BAD_REQUEST'],
    ['module not a number', 'PUT', '/api/modules/one/cells/1', { voltageV: 3.9 }, 'BAD_REQUEST'],
    ['unknown fault', 'POST', '/api/faults', { kind: 'meltdown' }, 'UNKNOWN_FAULT'],
    ['stopping a fault that is not active', 'DELETE', '/api/faults/silent:1', undefined, 'UNKNOWN_FAULT'],
    ['unknown command', 'POST', '/api/commands', { action: 'explode' }, 'BAD_REQUEST'],
    ['current as a string', 'PUT', '/api/pack/current', { currentA: '5' }, 'NOT_A_NUMBER'],
  ])('rejects %s with 400 and changes nothing', async (_name, method, path, body, code) => {
    const before = state();
    const response = await call(method, path, body);
    expect(response.status).toBe(400);
    expect(response.body.error).toBe(code);
    expect(typeof response.body.message).toBe('string');
    expect(state()).toBe(before);
  });

  it('rejects malformed JSON with 400 and an oversized body with 413', async () => {
    const malformed = await call('PUT', '/api/pack/current', undefined, '{"currentA": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toBe('entity.parse.failed');
    const huge = await call(
      'POST',
      '/api/commands',
      undefined,
      JSON.stringify({ action: 'setPackCurrent', pad: 'x'.repeat(20_000) }),
    );
    expect(huge.status).toBe(413);
  });

  it('answers unknown routes with 404 JSON', async () => {
    expect(await call('GET', '/api/nothing')).toEqual({
      status: 404,
      body: { error: 'NOT_FOUND', message: 'no route GET /api/nothing' },
    });
  });
});
