import { ManualClock } from '@tsbms/hal';
import { EmulatedGxMqtt } from './emulated-gx-mqtt';
import { GX_KEEPALIVE_SUPPRESS_REPUBLISH } from './gx-mqtt-topics';
import { MemoryMqttBroker, type MemoryMqttClient } from './memory-mqtt-broker';

const PORTAL = 'c0619ab1c2d3';
const CURRENT = `N/${PORTAL}/battery/279/Dc/0/Current`;

/** A client of the GX's broker that records every notification with its virtual time. */
async function probe(client: MemoryMqttClient, clock: ManualClock) {
  const seen: Array<{ timeMs: number; topic: string; payload: string }> = [];
  client.messages$.subscribe(({ topic, payload }) =>
    seen.push({ timeMs: clock.now(), topic, payload: new TextDecoder().decode(payload) }),
  );
  await client.subscribe('N/#');
  return seen;
}

async function setUp(keepAliveTimeoutMs?: number) {
  const clock = new ManualClock();
  const broker = new MemoryMqttBroker();
  const gx = await EmulatedGxMqtt.start({
    client: broker.attach(),
    clock,
    portalId: PORTAL,
    keepAliveTimeoutMs,
  });
  gx.setBattery(279, { productName: 'SmartShunt 500A/50mV', currentA: -3 });
  const client = broker.attach();
  const seen = await probe(client, clock);
  return { clock, gx, client, seen };
}

describe('EmulatedGxMqtt', () => {
  it('keeps its portal ID retained, publishes nothing else until kept alive', async () => {
    const { clock, gx, seen } = await setUp();
    gx.setCurrent(279, -4);
    await clock.advanceByMs(1000);
    expect(seen).toEqual([
      { timeMs: 0, topic: `N/${PORTAL}/system/0/Serial`, payload: `{"value":"${PORTAL}"}` },
    ]);
    expect(gx.alive).toBe(false);
  });

  it('an empty keep-alive publishes every value, the current first, then full_publish_completed', async () => {
    const { clock, gx, client, seen } = await setUp();
    await clock.advanceByMs(5000);
    seen.length = 0;
    await client.publish(`R/${PORTAL}/keepalive`, '');
    await clock.flush();
    expect(seen.map(({ topic, payload }) => `${topic} ${payload}`)).toEqual([
      `N/${PORTAL}/system/0/Serial {"value":"${PORTAL}"}`,
      `${CURRENT} {"value":-3}`,
      `N/${PORTAL}/battery/279/ProductName {"value":"SmartShunt 500A/50mV"}`,
      `N/${PORTAL}/full_publish_completed {"value":5}`,
    ]);
    expect([gx.alive, gx.keepAlivesReceived, gx.fullPublishes]).toEqual([true, 1, 1]);
  });

  it('publishes changes for 60 s after the last keep-alive and then stops, as dbus-flashmq does', async () => {
    const { clock, gx, client, seen } = await setUp();
    await client.publish(`R/${PORTAL}/keepalive`, GX_KEEPALIVE_SUPPRESS_REPUBLISH);
    await clock.flush();
    expect(gx.fullPublishes).toBe(0);
    let currentA = 0;
    const change = () => gx.setCurrent(279, ++currentA);
    await clock.advanceByMs(59_999);
    change();
    await clock.advanceByMs(1);
    expect(gx.alive).toBe(false);
    change();
    await clock.flush();
    await client.publish(`R/${PORTAL}/keepalive`, GX_KEEPALIVE_SUPPRESS_REPUBLISH);
    await clock.advanceByMs(10);
    change();
    change(); // the same value twice is one change
    gx.setCurrent(279, currentA);
    await clock.flush();
    expect(seen.filter((m) => m.topic === CURRENT)).toEqual([
      { timeMs: 59_999, topic: CURRENT, payload: '{"value":1}' },
      { timeMs: 60_010, topic: CURRENT, payload: '{"value":3}' },
      { timeMs: 60_010, topic: CURRENT, payload: '{"value":4}' },
    ]);
  });

  it('the keep-alive timeout is the test’s to shorten', async () => {
    const { clock, gx, client } = await setUp(500);
    await client.publish(`R/${PORTAL}/keepalive`, GX_KEEPALIVE_SUPPRESS_REPUBLISH);
    await clock.advanceByMs(499);
    expect(gx.alive).toBe(true);
    await clock.advanceByMs(1);
    expect(gx.alive).toBe(false);
  });

  it('answers a read request with the value, unchanged or not, alive or not; an unknown path gets nothing', async () => {
    const { clock, client, seen } = await setUp();
    seen.length = 0;
    await client.publish(`R/${PORTAL}/battery/279/Dc/0/Current`, '');
    await client.publish(`R/${PORTAL}/battery/279/Dc/0/Current`, '');
    await client.publish(`R/${PORTAL}/battery/279/Soc`, '');
    await client.publish(`R/${PORTAL}/battery/280/Dc/0/Current`, '');
    await clock.flush();
    expect(seen.map((m) => m.payload)).toEqual(['{"value":-3}', '{"value":-3}']);
  });

  it('a service that leaves publishes an empty payload on each of its paths', async () => {
    const { clock, gx, seen } = await setUp();
    seen.length = 0;
    gx.setBattery(512, { productName: 'tsBMS', manufacturer: 'tsBMS', currentA: 1 });
    gx.removeBattery(512);
    await clock.flush();
    expect(seen.map(({ topic, payload }) => `${topic} ${payload}`)).toEqual([
      `N/${PORTAL}/battery/512/Dc/0/Current `,
      `N/${PORTAL}/battery/512/ProductName `,
      `N/${PORTAL}/battery/512/Manufacturer `,
    ]);
    expect(() => gx.setCurrent(512, 2)).toThrow(RangeError);
  });
});
