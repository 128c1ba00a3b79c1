import type { Clock } from '@tsbms/hal';
import type { Subscription } from 'rxjs';
import type { GxMqttClient } from './gx-mqtt-client';
import {
  encodeGxPayload,
  gxFullPublishCompletedTopic,
  gxNotificationTopic,
  GX_KEEPALIVE_TIMEOUT_MS,
  parseGxNotificationTopic,
  type GxItemAddress,
} from './gx-mqtt-topics';

/** A battery service on the emulated GX. */
export interface EmulatedGxBattery {
  /** `/ProductName`: `SmartShunt 500A/50mV`, or what a CAN-bus BMS sends (`tsBMS`). */
  readonly productName: string;
  /** `/Manufacturer`, published by can-bus-bms only. */
  readonly manufacturer?: string;
  /** `/Dc/0/Current`, + = charging; null = invalid on the D-Bus. */
  readonly currentA: number | null;
}

export interface EmulatedGxMqttOptions {
  /** Its connection to the broker: the GX's own broker in the real thing. */
  readonly client: GxMqttClient;
  readonly clock: Clock;
  readonly portalId: string;
  /** How long a keep-alive keeps it publishing changes; default 60 000, dbus-flashmq's. */
  readonly keepAliveTimeoutMs?: number;
}

const decoder = new TextDecoder();

/**
 * A Victron GX's MQTT side as dbus-flashmq behaves (`gx-mqtt-topics.ts` has the sources), for
 * battery services only: `N/<id>/system/0/Serial` retained from the start; a keep-alive
 * (`R/<id>/keepalive`, or the legacy `R/<id>/system/0/Serial`) keeps it publishing changes for
 * `keepAliveTimeoutMs`, and without `suppress-republish` publishes every value first and then
 * `full_publish_completed`; a value is published when it changes and only while kept alive; a
 * read request (`R/<id>/battery/<n>/<path>`) publishes that value, changed or not, alive or not; a
 * removed service publishes an empty payload on each of its paths. Not modelled: other services,
 * the heartbeat, the rate limit on full publishes, the VRM bridge.
 */
export class EmulatedGxMqtt {
  private readonly batteries = new Map<number, EmulatedGxBattery>();
  private readonly portalId: string;
  private readonly timeoutMs: number;
  private requests?: Subscription;
  private expiry: Subscription | null = null;
  private keepAlives = 0;
  private fullPublishCount = 0;

  private constructor(private readonly options: EmulatedGxMqttOptions) {
    this.portalId = options.portalId;
    this.timeoutMs = options.keepAliveTimeoutMs ?? GX_KEEPALIVE_TIMEOUT_MS;
  }

  /** Subscribes to the requests and publishes the retained serial. */
  static async start(options: EmulatedGxMqttOptions): Promise<EmulatedGxMqtt> {
    const gx = new EmulatedGxMqtt(options);
    gx.requests = options.client.messages$.subscribe(({ topic, payload }) =>
      gx.onRequest(topic, decoder.decode(payload)),
    );
    await options.client.subscribe(`R/${options.portalId}/#`);
    await gx.publishSerial();
    return gx;
  }

  /** True while a keep-alive of the last `keepAliveTimeoutMs` keeps it publishing changes. */
  get alive(): boolean {
    return this.expiry !== null;
  }

  get keepAlivesReceived(): number {
    return this.keepAlives;
  }

  /** Keep-alives that made it publish every value. */
  get fullPublishes(): number {
    return this.fullPublishCount;
  }

  /** Adds or replaces the battery service at `instance`, published at once while alive. */
  setBattery(instance: number, battery: EmulatedGxBattery): void {
    this.batteries.set(instance, battery);
    if (this.alive) this.publishBattery(instance, battery);
  }

  /** Its current changes: published while alive; the same value again is no change and not sent. */
  setCurrent(instance: number, currentA: number | null): void {
    const battery = this.batteries.get(instance);
    if (battery === undefined) throw new RangeError(`no battery service ${instance} on the emulated GX`);
    if (battery.currentA === currentA) return;
    this.batteries.set(instance, { ...battery, currentA });
    if (this.alive) this.publishItem(instance, 'Dc/0/Current', currentA);
  }

  /** The service leaves the D-Bus: an empty payload on each of its paths, alive or not. */
  removeBattery(instance: number): void {
    const battery = this.batteries.get(instance);
    if (battery === undefined) return;
    this.batteries.delete(instance);
    for (const path of Object.keys(batteryItems(battery)))
      this.publish(gxNotificationTopic(this.address(instance, path)), '');
  }

  stop(): void {
    this.requests?.unsubscribe();
    this.expiry?.unsubscribe();
    this.expiry = null;
  }

  private onRequest(topic: string, payload: string): void {
    const [action, portalId, ...rest] = topic.split('/');
    if (action !== 'R' || portalId !== this.portalId) return;
    const path = rest.join('/');
    if (path === 'keepalive' || path === 'system/0/Serial') this.onKeepAlive(payload);
    if (path === 'system/0/Serial') void this.publishSerial();
    const address = parseGxNotificationTopic(`N/${topic.slice(2)}`);
    if (address?.serviceType !== 'battery') return;
    const battery = this.batteries.get(Number(address.instance));
    const items = battery === undefined ? {} : batteryItems(battery);
    if (address.path in items) this.publishItem(Number(address.instance), address.path, items[address.path]);
  }

  private onKeepAlive(payload: string): void {
    this.keepAlives++;
    this.expiry?.unsubscribe();
    this.expiry = this.options.clock.schedule(() => (this.expiry = null), this.timeoutMs);
    // dbus-flashmq looks for the option's text, it does not parse the JSON for it.
    if (payload.includes('suppress-republish')) return;
    this.fullPublishCount++;
    void this.publishSerial();
    for (const [instance, battery] of this.batteries) this.publishBattery(instance, battery);
    const unixS = Math.floor(this.options.clock.now() / 1000);
    this.publish(gxFullPublishCompletedTopic(this.portalId), encodeGxPayload(unixS));
  }

  private publishBattery(instance: number, battery: EmulatedGxBattery): void {
    for (const [path, value] of Object.entries(batteryItems(battery)))
      this.publishItem(instance, path, value);
  }

  private publishItem(instance: number, path: string, value: unknown): void {
    this.publish(gxNotificationTopic(this.address(instance, path)), encodeGxPayload(value));
  }

  private publishSerial(): Promise<void> {
    const topic = gxNotificationTopic({
      portalId: this.portalId,
      serviceType: 'system',
      instance: '0',
      path: 'Serial',
    });
    return this.options.client.publish(topic, encodeGxPayload(this.portalId), { retain: true });
  }

  private publish(topic: string, payload: string): void {
    // A GX publishes into its own broker; a lost test connection is the test's to notice.
    this.options.client.publish(topic, payload).catch(() => undefined);
  }

  private address(instance: number, path: string): GxItemAddress {
    return { portalId: this.portalId, serviceType: 'battery', instance: String(instance), path };
  }
}

/**
 * A service's paths and values, the current first: the GX publishes in no particular order, and a
 * current before the names is the case a reader must handle.
 */
function batteryItems(battery: EmulatedGxBattery): Record<string, unknown> {
  return {
    'Dc/0/Current': battery.currentA,
    ProductName: battery.productName,
    ...(battery.manufacturer === undefined ? {} : { Manufacturer: battery.manufacturer }),
  };
}
