import type { Duplex } from 'node:stream';
import type { MqttClient } from 'mqtt';
import { interval, type Subscription } from 'rxjs';
import { errorMessage, reconnectDelayMs, type Clock } from '@tsbms/hal';
import {
  reconnectPolicy,
  type BmsStatus,
  type OutputContext,
  type OutputFactory,
  type OutputService,
  type OutputStatus,
} from '@tsbms/bms-core';
import { FailedAttemptThrottle, parseSecretHash } from '@tsbms/credentials';
import { ChangeDetector } from './change-detector';
import { brokerAddress, clientOptions, mqttConfigError } from './client-options';
import { CommandQueue } from './command-queue';
import {
  commandHandlers,
  runCommand,
  type CommandAuthorisation,
  type CommandHandler,
  type CommandResponse,
} from './commands';
import { homeAssistantHandlers, settingMessages } from './ha-controls';
import { discoveryMessages, discoveryOptions, type DiscoveryOptions } from './discovery';
import type { MqttConfig, MqttOutputSettings } from './mqtt-config';
import { watchPacketSizes } from './packet-size-watch';
import { stateMessages } from './state-messages';
import {
  AVAILABILITY_OFFLINE,
  AVAILABILITY_ONLINE,
  mqttTopics,
  type MqttMessage,
  type MqttTopics,
} from './topics';

/*
 * QoS: values at the configured qos (0 by default: the next change or full refresh replaces a
 * lost one) and retained, so a new subscriber sees the latest at once; availability, discovery
 * and command answers at 1 (a lost one is not repaired by the next scan); commands are
 * subscribed at 1. Nothing is queued while disconnected: the full refresh on connect replaces it.
 */

/** HA publishes `online` here when it (re)starts: the discovery is sent again. */
const HA_BIRTH_PAYLOAD = 'online';
/** A stop waits this long for the broker to take the `offline` message, then drops the socket. */
const STOP_FLUSH_MS = 2000;

/** CONNACK codes that mean the credentials were refused (MQTT 3.1.1: 4, 5; MQTT 5: 134, 135). */
const LOGIN_REFUSED_CODES = new Set([4, 5, 134, 135]);

type Problem = 'unreachable' | 'loginRefused' | 'connectionLost' | 'packetTooLarge';

/** The command token's hash, parsed as it is used; the schema has checked it already. */
function commandAuthorisation(settings: MqttConfig, clock: Clock): CommandAuthorisation | null {
  const { enabled, tokenHash } = settings.commands;
  if (!enabled || tokenHash === null) return null;
  let parsed;
  try {
    parsed = parseSecretHash(tokenHash);
  } catch (error) {
    throw mqttConfigError('mqtt.commands.tokenHash', errorMessage(error));
  }
  return { tokenHash: parsed, throttle: new FailedAttemptThrottle(clock) };
}

function isLoginRefused(error: Error | undefined): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' && LOGIN_REFUSED_CODES.has(code);
}

/** The MQTT output: values, Home Assistant discovery and commands on one broker connection. */
export class MqttOutput implements OutputService {
  readonly name = 'mqtt';
  private readonly topics: MqttTopics;
  private readonly address: string;
  private readonly client: MqttClient;
  private readonly changes = new ChangeDetector();
  private readonly discovery: DiscoveryOptions | null;
  private readonly handlers: ReadonlyMap<string, CommandHandler>;
  /** Home Assistant's buttons, switches and numbers are on (their states are published too). */
  private readonly controls: boolean;
  private readonly subscriptions: Subscription[] = [];
  private latest: BmsStatus | null = null;
  private fullRefreshDue = true;
  private failures = 0;
  private retry: Subscription | null = null;
  private lastError: Error | undefined;
  private problem: Problem | null = null;
  private health: OutputStatus;
  private published = 0;
  private commands = 0;
  private stopping: Promise<void> | null = null;
  /** Null while commands are off (mqtt.commands.enabled false). */
  private readonly commandQueue: CommandQueue | null;
  private oversizePacketBytes: number | null | undefined;

  constructor(
    private readonly context: OutputContext<MqttOutputSettings>,
    private readonly settings: MqttConfig & { readonly url: string },
  ) {
    this.address = brokerAddress(settings.url);
    this.topics = mqttTopics(settings.topicPrefix);
    const authorisation = commandAuthorisation(settings, context.clock);
    this.controls = settings.discovery.enabled && settings.discovery.controls;
    this.handlers = new Map([
      ...(authorisation === null ? [] : commandHandlers(this.topics)),
      ...(this.controls ? homeAssistantHandlers(this.topics) : []),
    ]);
    this.commandQueue =
      this.handlers.size === 0
        ? null
        : new CommandQueue(
            ({ handler, payload }) => runCommand(handler, payload, context, authorisation),
            (response) => this.answer(response),
          );
    const softwareVersion = context.settings().softwareVersion ?? null;
    this.discovery = settings.discovery.enabled
      ? discoveryOptions(settings, context.status().discovery.expected, softwareVersion)
      : null;
    this.health = { state: 'degraded', message: `connecting to ${this.address}` };
    // Loaded on first use: a daemon without a broker never pays for mqtt.js (issue 12 footprint).
    const { connect } = require('mqtt') as typeof import('mqtt');
    this.client = connect(settings.url, { ...clientOptions(settings, this.topics), manualConnect: true });
    // mqtt.js keeps its stream factory private; wrapping it is how every connection it opens (the
    // first and each reconnect) gets watched. The MQTT e2e test with an oversized message guards it.
    const factory = this.client as unknown as { streamBuilder: (client: MqttClient) => Duplex };
    const buildStream = factory.streamBuilder;
    factory.streamBuilder = (client) =>
      watchPacketSizes(
        buildStream(client),
        settings.maxPacketBytes,
        (bytes) => (this.oversizePacketBytes = bytes),
      );
    this.client.on('connect', () => this.onConnect());
    this.client.on('error', (error) => (this.lastError = error));
    this.client.on('close', () => this.onClose());
    this.client.on('message', (topic, payload, packet) =>
      this.onMessage(topic, payload.toString('utf8'), packet.retain),
    );
    this.client.connect();
    this.subscriptions.push(
      context.status$.subscribe((status) => this.onStatus(status)),
      interval(settings.fullRefreshIntervalS * 1000, context.clock).subscribe(
        () => (this.fullRefreshDue = true),
      ),
    );
  }

  status(): OutputStatus {
    return {
      ...this.health,
      details: {
        broker: this.address,
        topicPrefix: this.settings.topicPrefix,
        published: this.published,
        commands: this.commands,
      },
    };
  }

  /** `offline` retained (a clean disconnect discards the will), then the socket is closed. */
  stop(): Promise<void> {
    this.stopping ??= this.disconnect();
    return this.stopping;
  }

  private async disconnect(): Promise<void> {
    this.subscriptions.forEach((s) => s.unsubscribe());
    this.retry?.unsubscribe();
    // Every command received gets its answer before `offline`, while the connection is up.
    await this.commandQueue?.close();
    await new Promise<void>((resolve) => {
      if (!this.client.connected) {
        this.client.end(true, () => resolve());
        return;
      }
      this.publish([{ topic: this.topics.availability, payload: AVAILABILITY_OFFLINE }], 1, true);
      const forced = this.context.clock.schedule(() => this.client.end(true, () => resolve()), STOP_FLUSH_MS);
      this.client.end(false, () => {
        forced.unsubscribe();
        resolve();
      });
    });
  }

  private onConnect(): void {
    this.failures = 0;
    this.lastError = undefined;
    this.publish([{ topic: this.topics.availability, payload: AVAILABILITY_ONLINE }], 1, true);
    const commandTopics = [...this.handlers.keys()];
    const birth = this.discovery === null ? [] : [`${this.discovery.prefix}/status`];
    const subscriptions = [...commandTopics, ...birth];
    // Connected means ready: with commands on, a command sent once this is logged is received.
    if (subscriptions.length === 0) this.onReady();
    else this.client.subscribe(subscriptions, { qos: 1 }, () => this.onReady());
    this.publishDiscovery();
    this.fullRefreshDue = true;
    if (this.latest !== null) this.onStatus(this.latest);
  }

  /** After the broker has answered the subscriptions (SUBACK). */
  private onReady(): void {
    this.health = { state: 'ok', message: `connected to ${this.address}` };
    this.context.logger.info(
      { event: 'mqtt', state: 'connected', broker: this.address },
      `mqtt connected to ${this.address}`,
    );
    this.problem = null;
  }

  private onClose(): void {
    if (this.stopping !== null || this.retry !== null) return;
    const wasConnected = this.health.state === 'ok';
    this.failures += 1;
    const delayMs = reconnectDelayMs(reconnectPolicy(this.settings.reconnect), this.failures - 1);
    const oversize = this.oversizePacketBytes;
    this.oversizePacketBytes = undefined;
    const problem: Problem =
      oversize !== undefined
        ? 'packetTooLarge'
        : isLoginRefused(this.lastError)
          ? 'loginRefused'
          : wasConnected
            ? 'connectionLost'
            : 'unreachable';
    const reason = this.lastError?.message ?? 'connection closed';
    const what = {
      loginRefused: `login refused by ${this.address} (${reason})`,
      connectionLost: `connection to ${this.address} lost`,
      unreachable: `broker ${this.address} unreachable (${reason})`,
      packetTooLarge: `dropped the connection to ${this.address}: an incoming packet of ${oversize ?? 'a malformed length of'} bytes exceeds mqtt.maxPacketBytes (${this.settings.maxPacketBytes})`,
    }[problem];
    this.health = { state: 'degraded', message: `${what}, retrying in ${delayMs / 1000} s` };
    // One line per change of problem, not one per attempt.
    if (problem !== this.problem) {
      this.context.logger.warn(
        { event: 'mqtt', state: problem, broker: this.address, error: reason },
        `mqtt: ${what}; retrying with backoff`,
      );
      this.problem = problem;
    }
    this.retry = this.context.clock.schedule(() => {
      this.retry = null;
      this.lastError = undefined;
      this.client.reconnect();
    }, delayMs);
  }

  private onStatus(status: BmsStatus): void {
    this.latest = status;
    if (!this.client.connected) return;
    const values = stateMessages(this.topics, status);
    const settingValues = this.controls
      ? settingMessages(this.topics, this.context.configuration.current())
      : [];
    const messages = this.changes.update(
      new Map([...values, ...settingValues.map((m) => [m.topic, m.payload] as const)]),
      this.fullRefreshDue,
    );
    this.fullRefreshDue = false;
    this.publish(messages, this.settings.qos, true);
  }

  private publishDiscovery(): void {
    if (this.discovery !== null) this.publish(discoveryMessages(this.discovery), 1, true);
  }

  private onMessage(topic: string, payload: string, retained: boolean): void {
    if (this.discovery !== null && topic === `${this.discovery.prefix}/status`) {
      if (payload === HA_BIRTH_PAYLOAD) {
        this.publishDiscovery();
        this.fullRefreshDue = true;
      }
      return;
    }
    const handler = this.handlers.get(topic);
    // An empty message is how a retained one is deleted, never a command.
    if (handler === undefined || payload === '') return;
    this.commands += 1;
    if (retained) {
      // A retained command would run again on every reconnect (a restart loop): refused.
      const message = 'retained command ignored: publish commands without the retain flag';
      this.answer({ id: null, command: handler.name, ok: false, error: { code: 'BAD_REQUEST', message } });
      return;
    }
    this.commandQueue?.offer({ handler, payload });
  }

  private answer(response: CommandResponse): void {
    const outcome = response.ok ? 'done' : `rejected: ${response.error.code} ${response.error.message}`;
    this.context.logger.info(
      { event: 'mqtt', command: response.command, id: response.id, ok: response.ok },
      `mqtt command ${response.command} ${outcome}`,
    );
    this.publish([{ topic: this.topics.response, payload: JSON.stringify(response) }], 1, false);
  }

  /** Hands messages to the client without waiting for the broker; dropped while disconnected. */
  private publish(messages: readonly MqttMessage[], qos: 0 | 1, retain: boolean): void {
    if (!this.client.connected) return;
    for (const { topic, payload } of messages) this.client.publish(topic, payload, { qos, retain });
    this.published += messages.length;
  }
}

/** The output factory for OUTPUT_SERVICES: null when `mqtt.url` is null. */
export const startMqttOutput: OutputFactory<MqttOutputSettings> = async (context) => {
  const settings = context.settings().mqtt;
  if (settings.url === null) return null;
  return new MqttOutput(context, { ...settings, url: settings.url });
};
