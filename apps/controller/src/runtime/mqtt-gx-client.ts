import type { MqttClient } from 'mqtt';
import { BehaviorSubject, Subject, type Observable } from 'rxjs';
import type { GxMqttClient, GxMqttMessage, GxMqttPublishOptions } from '@tsbms/current-sensors';
import {
  errorMessage,
  Reconnector,
  validateReconnectPolicy,
  type Clock,
  type Logger,
  type ReconnectPolicy,
} from '@tsbms/hal';

export interface MqttGxClientOptions {
  /** The GX's broker: `mqtt://<GX address>:1883`. */
  readonly url: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** An unreachable broker or a lost connection is retried with this backoff, on `clock`. */
  readonly reconnect: ReconnectPolicy;
  /** Default `tsbms-gx-<process id>`. */
  readonly clientId?: string;
}

/** A GX on the LAN answers a connect within milliseconds; this bounds one that does not. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * current-sensors' {@link GxMqttClient} on mqtt.js, for the GX's own broker. The package may not
 * import a network client (design.md: pure over ports), the controller may; the MQTT output's
 * client is its own concern (its section, its will, its commands), so this one is separate. It
 * connects at once and never fails to start: a GX that is not reachable is retried with the
 * backoff, with one log line per change of state, and the sensor is silent meanwhile.
 */
export class MqttGxClient implements GxMqttClient {
  readonly messages$: Observable<GxMqttMessage>;
  readonly connected$: Observable<boolean>;
  private readonly messages = new Subject<GxMqttMessage>();
  private readonly connected = new BehaviorSubject(false);
  private readonly client: MqttClient;
  private readonly reconnector: Reconnector;
  private readonly address: string;
  private lastError: Error | undefined;
  /** The problem last logged, so a GX that stays away logs once. */
  private problem: 'unreachable' | 'connectionLost' | null = null;
  private closing: Promise<void> | null = null;

  constructor(private readonly options: MqttGxClientOptions) {
    this.address = new URL(options.url).host;
    this.messages$ = this.messages.asObservable();
    this.connected$ = this.connected.asObservable();
    const logFields = { event: 'gxMqtt', broker: this.address };
    this.reconnector = new Reconnector({
      policy: validateReconnectPolicy(options.reconnect),
      clock: options.clock,
      logger: options.logger,
      name: `GX broker ${this.address}`,
      logFields,
      reopen: async () => {
        this.lastError = undefined;
        this.client.reconnect();
      },
    });
    // Loaded on first use: a daemon without a GX sensor never pays for mqtt.js (issue 12 footprint).
    const { connect } = require('mqtt') as typeof import('mqtt');
    this.client = connect(options.url, {
      clientId: options.clientId ?? `tsbms-gx-${process.pid}`,
      clean: true,
      // mqtt.js's own reconnecting is off: the backoff runs on the injected clock, as the MQTT output's.
      reconnectPeriod: 0,
      connectTimeout: CONNECT_TIMEOUT_MS,
      // Nothing waits for a connection: keep-alives and reads sent while away are simply not sent.
      queueQoSZero: false,
      // The driver subscribes again after each connection.
      resubscribe: false,
      manualConnect: true,
    });
    this.client.on('connect', () => this.onConnect());
    this.client.on('error', (error) => (this.lastError = error));
    this.client.on('close', () => this.onClose());
    this.client.on('message', (topic, payload) => this.messages.next({ topic, payload }));
    this.client.connect();
  }

  async subscribe(topicFilter: string): Promise<void> {
    // mqtt.js would hold it until the next connection; the driver subscribes then anyway.
    if (!this.client.connected) throw new Error(`not connected to ${this.address}`);
    const granted = await this.client.subscribeAsync(topicFilter, { qos: 0 });
    // MQTT 3.1.1 SUBACK return code 0x80: the broker refused this filter.
    if (granted.some((grant) => (grant.qos as number) === 128))
      throw new Error(`${this.address} refused the subscription to ${topicFilter}`);
  }

  async publish(topic: string, payload: string, options: GxMqttPublishOptions = {}): Promise<void> {
    await this.client.publishAsync(topic, payload, { qos: 0, retain: options.retain === true });
  }

  /** Disconnects for good and completes the streams. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.reconnector.cancel();
      await this.client.endAsync(true);
      this.connected.next(false);
      this.connected.complete();
      this.messages.complete();
    })();
    return this.closing;
  }

  private onConnect(): void {
    this.reconnector.succeeded();
    this.problem = null;
    this.options.logger.info(
      { event: 'gxMqtt', state: 'connected', broker: this.address },
      `connected to the GX broker ${this.address}`,
    );
    this.connected.next(true);
  }

  private onClose(): void {
    if (this.closing !== null) return;
    const problem = this.connected.value ? 'connectionLost' : 'unreachable';
    if (this.connected.value) this.connected.next(false);
    else this.reconnector.attemptFailed();
    if (problem !== this.problem) {
      this.problem = problem;
      const reason = this.lastError === undefined ? 'connection closed' : errorMessage(this.lastError);
      this.options.logger.warn(
        { event: 'gxMqtt', state: problem, broker: this.address, error: reason },
        problem === 'connectionLost'
          ? `lost the connection to the GX broker ${this.address} (${reason}); reconnecting`
          : `the GX broker ${this.address} is unreachable (${reason}); retrying with backoff`,
      );
    }
    this.reconnector.schedule();
  }
}
