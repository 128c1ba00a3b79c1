import { flushMicrotasks } from '@tsbms/hal';
import { MemoryMqttBroker, mqttTopicMatches, type MemoryMqttClient } from './memory-mqtt-broker';

function received(client: MemoryMqttClient): string[] {
  const seen: string[] = [];
  client.messages$.subscribe(({ topic, payload }) =>
    seen.push(`${topic} ${new TextDecoder().decode(payload)}`),
  );
  return seen;
}

describe('mqttTopicMatches', () => {
  // The examples of MQTT 3.1.1, section 4.7.1.
  it.each([
    ['sport/tennis/player1/#', 'sport/tennis/player1', true],
    ['sport/tennis/player1/#', 'sport/tennis/player1/ranking', true],
    ['sport/tennis/player1/#', 'sport/tennis/player1/score/wimbledon', true],
    ['sport/#', 'sport', true],
    ['#', 'N/abc/battery/279/Dc/0/Current', true],
    ['sport/tennis/+', 'sport/tennis/player1', true],
    ['sport/tennis/+', 'sport/tennis/player1/ranking', false],
    ['sport/+', 'sport', false],
    ['+/+', '/finance', true],
    ['/+', '/finance', true],
    ['+', '/finance', false],
    ['N/+/system/0/Serial', 'N/c0619ab1c2d3/system/0/Serial', true],
    ['N/+/system/0/Serial', 'N/c0619ab1c2d3/system/0/Serial/x', false],
  ])('%s against %s: %s', (filter, topic, matches) => {
    expect(mqttTopicMatches(filter, topic)).toBe(matches);
  });
});

describe('MemoryMqttBroker', () => {
  it('delivers what matches, later, and keeps a retained message for later subscribers until emptied', async () => {
    const broker = new MemoryMqttBroker();
    const [publisher, early, late] = [broker.attach(), broker.attach(), broker.attach()];
    const [earlySeen, lateSeen] = [received(early), received(late)];
    await early.subscribe('N/#');
    const publishing = publisher.publish('N/a/system/0/Serial', '{"value":"a"}', { retain: true });
    expect(earlySeen).toEqual([]);
    await publishing;
    await publisher.publish('R/a/keepalive', '');
    expect(earlySeen).toEqual(['N/a/system/0/Serial {"value":"a"}']);
    await late.subscribe('N/+/system/0/Serial');
    expect(lateSeen).toEqual(['N/a/system/0/Serial {"value":"a"}']);
    await publisher.publish('N/a/system/0/Serial', '', { retain: true });
    const after = broker.attach();
    const afterSeen = received(after);
    await after.subscribe('N/#');
    expect(afterSeen).toEqual([]);
  });

  it('a lost connection ends the session: requests are refused and subscriptions are gone', async () => {
    const broker = new MemoryMqttBroker();
    const [client, publisher] = [broker.attach(), broker.attach()];
    const states: boolean[] = [];
    client.connected$.subscribe((connected) => states.push(connected));
    const seen = received(client);
    await client.subscribe('N/#');
    client.disconnect();
    await expect(client.publish('R/a/keepalive', '')).rejects.toThrow('not connected');
    await expect(client.subscribe('N/#')).rejects.toThrow('not connected');
    client.connect();
    await publisher.publish('N/a/battery/1/Dc/0/Current', '{"value":1}');
    await flushMicrotasks();
    expect(seen).toEqual([]);
    expect(states).toEqual([true, false, true]);
  });
});
