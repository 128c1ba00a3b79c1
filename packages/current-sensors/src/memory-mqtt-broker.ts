import { BehaviorSubject, Subject, type Observable } from 'rxjs';
import type { GxMqttClient, GxMqttMessage, GxMqttPublishOptions } from './gx-mqtt-client';

/** MQTT's topic filter rule: `+` is one level, a final `#` this level and all below (MQTT 3.1.1, 4.7.1). */
export function mqttTopicMatches(filter: string, topic: string): boolean {
  const filterLevels = filter.split('/');
  const topicLevels = topic.split('/');
  for (let i = 0; i < filterLevels.length; i++) {
    if (filterLevels[i] === '#') return i === filterLevels.length - 1;
    if (i >= topicLevels.length) return false;
    if (filterLevels[i] !== '+' && filterLevels[i] !== topicLevels[i]) return false;
  }
  return filterLevels.length === topicLevels.length;
}

const encoder = new TextEncoder();

/**
 * An MQTT broker in memory for tests of code on {@link GxMqttClient}: clients attach, subscribe
 * with wildcards, publish (retained messages kept and handed to later subscribers, an empty one
 * deleting), and each receives what matches its subscriptions, its own messages too. Delivery is
 * a microtask later, as a network's would be; QoS 0, clean sessions only.
 */
export class MemoryMqttBroker {
  private readonly clients = new Set<MemoryMqttClient>();
  private readonly retainedMessages = new Map<string, string>();

  /** A new client, connected. */
  attach(): MemoryMqttClient {
    const client = new MemoryMqttClient(this);
    this.clients.add(client);
    return client;
  }

  /** @internal a client's publish, after its microtask. */
  route(topic: string, payload: string, retain: boolean): void {
    if (retain) {
      if (payload === '') this.retainedMessages.delete(topic);
      else this.retainedMessages.set(topic, payload);
    }
    for (const client of this.clients) client.deliver(topic, payload);
  }

  /** @internal what a new subscription gets at once. */
  retained(filter: string): Array<[string, string]> {
    return [...this.retainedMessages].filter(([topic]) => mqttTopicMatches(filter, topic));
  }
}

/** One connection to a {@link MemoryMqttBroker}; `disconnect()` and `connect()` act out a lost link. */
export class MemoryMqttClient implements GxMqttClient {
  private readonly messages = new Subject<GxMqttMessage>();
  private readonly connected = new BehaviorSubject(true);
  private readonly filters = new Set<string>();
  readonly messages$: Observable<GxMqttMessage> = this.messages.asObservable();
  readonly connected$: Observable<boolean> = this.connected.asObservable();

  constructor(private readonly broker: MemoryMqttBroker) {}

  subscribe(topicFilter: string): Promise<void> {
    return this.whenConnected(() => {
      this.filters.add(topicFilter);
      for (const [topic, payload] of this.broker.retained(topicFilter)) this.receive(topic, payload);
    });
  }

  publish(topic: string, payload: string, options: GxMqttPublishOptions = {}): Promise<void> {
    return this.whenConnected(() => this.broker.route(topic, payload, options.retain === true));
  }

  /** The link is lost: the session ends with its subscriptions (a clean session). */
  disconnect(): void {
    this.filters.clear();
    this.connected.next(false);
  }

  connect(): void {
    this.connected.next(true);
  }

  /** @internal a message on the broker. */
  deliver(topic: string, payload: string): void {
    if (this.connected.value && [...this.filters].some((filter) => mqttTopicMatches(filter, topic)))
      this.receive(topic, payload);
  }

  private receive(topic: string, payload: string): void {
    this.messages.next({ topic, payload: encoder.encode(payload) });
  }

  private async whenConnected(action: () => void): Promise<void> {
    if (!this.connected.value) throw new Error('not connected');
    await Promise.resolve();
    if (!this.connected.value) throw new Error('connection lost');
    action();
  }
}
