import { ManualClock, type CurrentSample } from '@tsbms/hal';
import { expectInvalidArgument, RecordingLogger } from '@tsbms/hal/testing';
import { EmulatedGxMqtt, type EmulatedGxBattery } from './emulated-gx-mqtt';
import { GxMqttCurrentSource, type GxMqttCurrentSourceOptions } from './gx-mqtt-current-source';
import { GX_KEEPALIVE_SUPPRESS_REPUBLISH } from './gx-mqtt-topics';
import { MemoryMqttBroker } from './memory-mqtt-broker';

const PORTAL = 'c0619ab1c2d3';
const SHUNT = 279;
const OWN = 512;
const SMARTSHUNT = { productName: 'SmartShunt 500A/50mV', currentA: -12.5 };
const TSBMS = { productName: 'tsBMS', manufacturer: 'tsBMS', currentA: 40 };

/** A GX with a SmartShunt and tsBMS's own CAN battery on an in-memory broker, in virtual time. */
async function setUp(
  options: Partial<GxMqttCurrentSourceOptions> = {},
  ownService: EmulatedGxBattery = TSBMS,
) {
  const clock = new ManualClock();
  const broker = new MemoryMqttBroker();
  const gx = await EmulatedGxMqtt.start({ client: broker.attach(), clock, portalId: PORTAL });
  gx.setBattery(SHUNT, SMARTSHUNT);
  gx.setBattery(OWN, ownService);
  // What the driver sends to the GX, with the virtual time it was sent at.
  const requests: Array<{ timeMs: number; topic: string; payload: string }> = [];
  const watcher = broker.attach();
  watcher.messages$.subscribe(({ topic, payload }) =>
    requests.push({ timeMs: clock.now(), topic, payload: new TextDecoder().decode(payload) }),
  );
  await watcher.subscribe('R/#');
  const logger = new RecordingLogger();
  const client = broker.attach();
  const source = new GxMqttCurrentSource({ client, clock, logger, deviceInstance: SHUNT, ...options });
  const samples: CurrentSample[] = [];
  source.current$.subscribe((sample) => samples.push(sample));
  await clock.flush();
  return { clock, broker, gx, client, source, samples, logger, requests, rogue: broker.attach() };
}

const keepAlives = (requests: Array<{ timeMs: number; topic: string; payload: string }>) =>
  requests
    .filter((r) => r.topic === `R/${PORTAL}/keepalive`)
    .map((r) => `${r.timeMs} ${r.payload === '' ? 'full' : r.payload}`);

describe('GxMqttCurrentSource', () => {
  it('finds the portal ID, keeps the GX alive every 30 s (the first asking for a full publish) and reads the monitor', async () => {
    const { clock, gx, source, samples, logger, requests } = await setUp();
    await clock.advanceByMs(95_000);
    expect(keepAlives(requests)).toEqual([
      '0 full',
      `30000 ${GX_KEEPALIVE_SUPPRESS_REPUBLISH}`,
      `60000 ${GX_KEEPALIVE_SUPPRESS_REPUBLISH}`,
      `90000 ${GX_KEEPALIVE_SUPPRESS_REPUBLISH}`,
    ]);
    expect(gx.alive).toBe(true);
    expect(source.batteryServiceState()).toBe('accepted');
    // The full publish's current came before the service was known: unused. The reads give one a second.
    expect(samples).toHaveLength(96);
    expect(samples.slice(0, 3)).toEqual(
      [0, 1000, 2000].map((timeMs) => ({ timeMs, currentA: -12.5, quality: 'good' })),
    );
    expect(source.counters()).toEqual({ samples: 96, dropped: 0 });
    expect(logger.lines.map((l) => `${l.level} ${l.message}`)).toEqual([
      `info GX battery/279 over MQTT: found the GX with portal ID ${PORTAL}`,
      `info GX battery/279 over MQTT: reading the current of battery/279 on the GX ${PORTAL} (SmartShunt 500A/50mV)`,
    ]);
    await source.close();
  });

  it('stamps each change with the clock when it arrives; of two messages in one instant the first stands', async () => {
    const { clock, gx, source, samples } = await setUp({ portalId: PORTAL, readIntervalMs: 5000 });
    samples.length = 0;
    await clock.advanceByMs(1200);
    gx.setCurrent(SHUNT, 80.25);
    await clock.advanceByMs(3800);
    gx.setCurrent(SHUNT, 80.5); // at 5000 ms, just after the read's answer
    await clock.advanceByMs(100);
    expect(samples).toEqual([
      { timeMs: 1200, currentA: 80.25, quality: 'good' },
      { timeMs: 5000, currentA: 80.25, quality: 'good' },
    ]);
    await source.close();
  });

  it.each([
    ['its battery name', { productName: 'tsBMS', manufacturer: 'tsBMS', currentA: 40 }, ['tsBMS']],
    [
      'its Manufacturer alone',
      { productName: 'Garage pack 16S', manufacturer: 'tsBMS', currentA: 40 },
      ['tsBMS'],
    ],
    [
      'a configured battery name',
      { productName: 'Garage pack 16S', currentA: 40 },
      ['tsBMS', 'Garage pack 16S'],
    ],
  ])(
    "refuses tsBMS's own battery service, known by %s: no sample, one error line",
    async (_, own, ownBatteryNames) => {
      const { clock, gx, source, samples, logger, requests } = await setUp(
        { deviceInstance: OWN, ownBatteryNames },
        own,
      );
      await clock.advanceByMs(30_000);
      gx.setCurrent(OWN, 41);
      gx.setCurrent(OWN, 42);
      await clock.advanceByMs(30_000);
      expect(samples).toEqual([]);
      expect(source.batteryServiceState()).toBe('own');
      expect(source.counters()).toEqual({ samples: 0, dropped: 2 });
      const errors = logger.lines.filter((l) => l.level === 'error');
      expect(errors).toHaveLength(1);
      expect(errors[0].message).toMatch(/battery\/512 on the GX c0619ab1c2d3 is tsBMS's own battery/);
      expect(errors[0].fields).toMatchObject({ portalId: PORTAL, deviceInstance: OWN, state: 'own' });
      // No read is ever sent for it; the GX is still kept alive, in case the service changes.
      expect(requests.some((r) => r.topic.includes('/battery/'))).toBe(false);
      expect(keepAlives(requests)).toHaveLength(3);
      await source.close();
    },
  );

  it('stops at once when a name of ours turns up on a service it was reading', async () => {
    const { clock, gx, source, samples, logger, rogue } = await setUp({ portalId: PORTAL });
    const before = samples.length;
    await rogue.publish(`N/${PORTAL}/battery/${SHUNT}/Manufacturer`, '{"value":"tsBMS"}');
    gx.setCurrent(SHUNT, 3);
    await clock.advanceByMs(2000);
    expect(samples).toHaveLength(before);
    expect(source.batteryServiceState()).toBe('own');
    expect(logger.lines.filter((l) => l.level === 'error')).toHaveLength(1);
    await source.close();
  });

  it('drops a message without a number, counted and logged once per run, and says when the current is back', async () => {
    const { clock, source, samples, logger, rogue } = await setUp({ portalId: PORTAL });
    await clock.advanceByMs(500);
    samples.length = 0;
    const topic = `N/${PORTAL}/battery/${SHUNT}/Dc/0/Current`;
    for (const payload of ['{"value":null}', '{"value":"-12.5"}', 'garbage', '{"value":1e999}'])
      await rogue.publish(topic, payload);
    await rogue.publish(topic, '{"value":7}');
    await rogue.publish(topic, '{"value":null}');
    await clock.advanceByMs(1);
    expect(samples).toEqual([{ timeMs: 500, currentA: 7, quality: 'good' }]);
    expect(source.counters()).toMatchObject({ dropped: 5 });
    expect(logger.lines.slice(1).map((l) => `${l.level} ${l.message}`)).toEqual([
      'warn GX battery/279 over MQTT: dropped a current message (no value (invalid on the D-Bus)); the next ones like it are only counted',
      'info GX battery/279 over MQTT: the current reads again after 4 dropped message(s)',
      'warn GX battery/279 over MQTT: dropped a current message (no value (invalid on the D-Bus)); the next ones like it are only counted',
    ]);
    await source.close();
  });

  it('ignores other services and other GXs, uncounted', async () => {
    const { clock, source, samples, rogue } = await setUp({ portalId: PORTAL });
    samples.length = 0;
    await rogue.publish(`N/${PORTAL}/battery/${OWN}/Dc/0/Current`, '{"value":1}');
    await rogue.publish(`N/otherportal/battery/${SHUNT}/Dc/0/Current`, '{"value":1}');
    await rogue.publish(`N/${PORTAL}/solarcharger/${SHUNT}/Dc/0/Current`, '{"value":1}');
    await clock.advanceByMs(1);
    expect(samples).toEqual([]);
    expect(source.counters().dropped).toBe(0);
    await source.close();
  });

  it('a wrong deviceInstance: one warning, and full publishes every keep-alive until the service shows up', async () => {
    const { clock, gx, source, samples, logger, requests } = await setUp({ deviceInstance: 288 });
    await clock.advanceByMs(60_000);
    expect(source.batteryServiceState()).toBe('absent');
    expect(logger.lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      `GX battery/288 over MQTT: the GX has no battery/288 on the GX ${PORTAL}; check deviceInstance (the monitor's VRM instance). Waiting for it`,
    ]);
    expect(keepAlives(requests)).toEqual(['0 full', '30000 full', '60000 full']);
    gx.setBattery(288, { productName: 'BMV-712 Smart', currentA: 2 });
    await clock.advanceByMs(30_000);
    expect(source.batteryServiceState()).toBe('accepted');
    expect(samples[0]).toEqual({ timeMs: 90_000, currentA: 2, quality: 'good' });
    await source.close();
  });

  it('a monitor that leaves the GX stops the samples until a full publish finds it again', async () => {
    const { clock, gx, source, samples, logger } = await setUp({ portalId: PORTAL });
    gx.removeBattery(SHUNT);
    await clock.flush();
    const count = samples.length;
    await clock.advanceByMs(10_000);
    expect(samples).toHaveLength(count);
    expect(source.batteryServiceState()).toBe('unknown');
    expect(logger.lines.at(-1)?.message).toBe(
      'GX battery/279 over MQTT: battery/279 left the GX; waiting for it to come back',
    );
    gx.setBattery(SHUNT, { ...SMARTSHUNT, currentA: 1 });
    await clock.advanceByMs(20_000);
    expect(samples.at(-1)).toEqual({ timeMs: 30_000, currentA: 1, quality: 'good' });
    await source.close();
  });

  it('after a lost connection it subscribes again, asks for a full publish and reads on', async () => {
    const { clock, client, source, samples, requests } = await setUp({ portalId: PORTAL });
    await clock.advanceByMs(10_000);
    client.disconnect();
    await clock.advanceByMs(5000);
    const during = samples.length;
    client.connect();
    await clock.advanceByMs(3000);
    expect(keepAlives(requests)).toEqual(['0 full', '15000 full']);
    expect(samples.slice(during).map((s) => s.timeMs)).toEqual([15_000, 16_000, 17_000, 18_000]);
    expect(source.batteryServiceState()).toBe('accepted');
    await source.close();
  });

  it('with two GXs on the broker: without portalId the first found, with one warning; with it, that one', async () => {
    const found = await setUpWithSecondGx();
    await found.clock.flush();
    expect(found.logger.lines.filter((l) => l.level === 'warn').map((l) => l.fields)).toEqual([
      expect.objectContaining({ portalId: PORTAL, otherPortalId: 'second' }),
    ]);
    expect(found.source.batteryServiceState()).toBe('accepted');
    const chosen = await setUpWithSecondGx('second');
    await chosen.clock.flush();
    expect(chosen.logger.lines.map((l) => l.level)).toEqual(['warn']);
    expect(chosen.source.batteryServiceState()).toBe('absent');
    await Promise.all([found.source.close(), chosen.source.close()]);
  });

  it('a broker without a GX: one warning after a keep-alive interval, then the GX when it comes', async () => {
    const clock = new ManualClock();
    const broker = new MemoryMqttBroker();
    const logger = new RecordingLogger();
    const source = new GxMqttCurrentSource({ client: broker.attach(), clock, logger, deviceInstance: SHUNT });
    await clock.advanceByMs(90_000);
    expect(logger.lines.map((l) => `${l.level} ${l.message}`)).toEqual([
      "warn GX battery/279 over MQTT: no GX on this broker yet (no retained N/+/system/0/Serial); is MQTT on in the GX's Settings → Services?",
    ]);
    const gx = await EmulatedGxMqtt.start({ client: broker.attach(), clock, portalId: PORTAL });
    gx.setBattery(SHUNT, SMARTSHUNT);
    await clock.flush();
    expect(source.batteryServiceState()).toBe('accepted');
    await source.close();
  });

  it('close completes current$ and stops the keep-alives and reads; twice is once', async () => {
    const { clock, source, requests } = await setUp();
    let completed = false;
    source.current$.subscribe({ complete: () => (completed = true) });
    await source.close();
    await source.close();
    const sent = requests.length;
    await clock.advanceByMs(60_000);
    expect(completed).toBe(true);
    expect(requests).toHaveLength(sent);
  });

  it.each([
    [{ deviceInstance: -1 }, 'deviceInstance'],
    [{ deviceInstance: 2.5 }, 'deviceInstance'],
    [{ portalId: 'a/b' }, 'portalId'],
    [{ portalId: '' }, 'portalId'],
    [{ ownBatteryNames: [] }, 'ownBatteryNames'],
    [{ ownBatteryNames: [' '] }, 'ownBatteryNames'],
    [{ keepAliveIntervalMs: 60_000 }, 'keepAliveIntervalMs'],
    [{ readIntervalMs: 50 }, 'readIntervalMs'],
  ])('refuses %j with INVALID_OPTION naming %s', (bad, option) => {
    const client = new MemoryMqttBroker().attach();
    expect(
      () => new GxMqttCurrentSource({ client, clock: new ManualClock(), deviceInstance: SHUNT, ...bad }),
    ).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION', context: expect.objectContaining({ option }) }),
    );
  });

  it('refuses a client that is not one, naming the argument', async () => {
    await expectInvalidArgument(
      () => new GxMqttCurrentSource({ client: {} as never, clock: new ManualClock(), deviceInstance: SHUNT }),
      'options.client',
    );
  });
});

/** A GX with the SmartShunt and a second one without batteries, started after it, on one broker. */
async function setUpWithSecondGx(portalId?: string) {
  const clock = new ManualClock();
  const broker = new MemoryMqttBroker();
  const first = await EmulatedGxMqtt.start({ client: broker.attach(), clock, portalId: PORTAL });
  first.setBattery(SHUNT, SMARTSHUNT);
  await EmulatedGxMqtt.start({ client: broker.attach(), clock, portalId: 'second' });
  const logger = new RecordingLogger();
  const source = new GxMqttCurrentSource({
    client: broker.attach(),
    clock,
    logger,
    deviceInstance: SHUNT,
    ...(portalId === undefined ? {} : { portalId }),
  });
  return { clock, source, logger };
}
