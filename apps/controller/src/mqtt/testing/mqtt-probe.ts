import { connectAsync, type MqttClient } from 'mqtt';
import type { Scope } from '../../e2e/process-harness';

export interface ProbeMessage {
  readonly topic: string;
  readonly payload: string;
  readonly retain: boolean;
}

/** A test's own MQTT client: subscribes, records every message, waits for one that matches. */
export class MqttProbe {
  readonly messages: ProbeMessage[] = [];
  private waiters: (() => void)[] = [];

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      this.messages.push({ topic, payload: payload.toString('utf8'), retain: packet.retain });
      this.waiters.forEach((check) => check());
    });
  }

  static async connect(scope: Scope, url: string, topics: readonly string[]): Promise<MqttProbe> {
    const client = await connectAsync(url, {
      reconnectPeriod: 0,
      clientId: `probe-${process.pid}-${Math.random()}`,
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
    return new Promise((resolve, reject) => {
      const check = () => {
        const index = this.messages.findIndex((m, i) => i >= from && match(m));
        if (index < 0) return;
        done();
        resolve({ ...this.messages[index], index });
      };
      const cap = setTimeout(() => {
        done();
        const seen = this.messages.slice(from).map((m) => `${m.topic} ${m.payload.slice(0, 80)}`);
        reject(
          new Error(`no matching MQTT message within ${capMs} ms; seen:\n${seen.slice(-40).join('\n')}`),
        );
      }, capMs);
      const done = () => {
        clearTimeout(cap);
        this.waiters = this.waiters.filter((waiter) => waiter !== check);
      };
      this.waiters.push(check);
      check();
    });
  }

  waitForTopic(topic: string, from = 0, capMs?: number) {
    return this.waitFor((m) => m.topic === topic, from, capMs);
  }

  async publish(topic: string, payload: string): Promise<void> {
    await this.client.publishAsync(topic, payload, { qos: 1 });
  }
}
