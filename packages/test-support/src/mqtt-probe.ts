import { connectAsync, type MqttClient } from 'mqtt';
import { Arrivals } from './arrivals';
import type { Scope } from './scope';

export interface ProbeMessage {
  readonly topic: string;
  readonly payload: string;
  readonly retain: boolean;
}

/** Who the probe logs in as, and (5) whether it speaks MQTT 5. */
export interface ProbeLogin {
  readonly username: string;
  readonly password: string;
  readonly protocolVersion?: 4 | 5;
}

/** A test's own MQTT client: subscribes, records every message, waits for one that matches. */
export class MqttProbe {
  private readonly arrivals = new Arrivals<ProbeMessage>('MQTT message', (arrived) =>
    arrived
      .slice(-40)
      .map((m) => `${m.topic} ${m.payload.slice(0, 80)}`)
      .join('\n'),
  );
  /** Every message so far, oldest first. */
  readonly messages: ProbeMessage[] = this.arrivals.items;

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      this.arrivals.push({ topic, payload: payload.toString('utf8'), retain: packet.retain });
    });
  }

  /** `login` may also ask for MQTT 5, where a publish the broker refuses rejects with its reason. */
  static async connect(
    scope: Scope,
    url: string,
    topics: readonly string[],
    login: ProbeLogin | null = null,
  ): Promise<MqttProbe> {
    const client = await connectAsync(url, {
      reconnectPeriod: 0,
      clientId: `probe-${process.pid}-${Math.random()}`,
      ...login,
    });
    scope.add(() => client.endAsync(true));
    const probe = new MqttProbe(client);
    if (topics.length > 0) await client.subscribeAsync([...topics], { qos: 1 });
    return probe;
  }

  /** The latest payload seen on `topic`. */
  latest(topic: string): string | undefined {
    return this.messages.filter((m) => m.topic === topic).at(-1)?.payload;
  }

  /** The first message from index `from` on that matches; `capMs` bounds real I/O only. */
  waitFor(
    match: (message: ProbeMessage) => boolean,
    from = 0,
    capMs = 15_000,
  ): Promise<ProbeMessage & { index: number }> {
    return this.arrivals.waitFor(match, from, capMs);
  }

  waitForTopic(topic: string, from = 0, capMs?: number) {
    return this.waitFor((m) => m.topic === topic, from, capMs);
  }

  async publish(topic: string, payload: string): Promise<void> {
    await this.client.publishAsync(topic, payload, { qos: 1 });
  }
}
