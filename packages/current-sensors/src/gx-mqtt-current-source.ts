import {
  errorMessage,
  requireClock,
  requireLogger,
  requireObject,
  silentLogger,
  type Clock,
  type CurrentSample,
  type CurrentSource,
  type CurrentSourceCounters,
  type Logger,
} from '@tsbms/hal';
import { interval, Subject, type Observable, type Subscription } from 'rxjs';
import { CurrentSensorError, requireNumberIn } from './current-sensor-error';
import { isOwnBatteryService, type GxBatteryIdentity } from './gx-battery-identity';
import { requireGxMqttClient, type GxMqttClient, type GxMqttMessage } from './gx-mqtt-client';
import {
  decodeGxNumber,
  decodeGxPayload,
  GX_KEEPALIVE_FULL_PUBLISH,
  GX_KEEPALIVE_SUPPRESS_REPUBLISH,
  GX_KEEPALIVE_TIMEOUT_MS,
  GX_SERIAL_TOPIC_FILTER,
  gxFullPublishCompletedTopic,
  gxKeepAliveTopic,
  gxNotificationTopic,
  gxReadTopic,
  isGxTopicLevel,
  parseGxNotificationTopic,
  type GxItemAddress,
} from './gx-mqtt-topics';

/** Half the GX's 60 s, as dbus-flashmq's README suggests: one lost keep-alive costs nothing. */
export const GX_MQTT_DEFAULT_KEEPALIVE_INTERVAL_MS = 30_000;
/** A SmartShunt's values change on the GX about once a second. */
export const GX_MQTT_DEFAULT_READ_INTERVAL_MS = 1000;
/** The 0x35E manufacturer name tsBMS sends by default (`inverter.manufacturerName`). */
export const GX_MQTT_DEFAULT_OWN_BATTERY_NAMES: readonly string[] = Object.freeze(['tsBMS']);

export interface GxMqttCurrentSourceOptions {
  /** A client of the GX's broker (port 1883); it stays the caller's to close. */
  readonly client: GxMqttClient;
  readonly clock: Clock;
  /** Default silent. */
  readonly logger?: Logger;
  /**
   * The battery monitor's device instance on the GX (its VRM instance: Device list → the
   * SmartShunt → Device), e.g. 279; the `<n>` of `N/<portal ID>/battery/<n>/Dc/0/Current`.
   */
  readonly deviceInstance: number;
  /** The GX's VRM portal ID; default the first GX whose retained `N/+/system/0/Serial` the broker holds. */
  readonly portalId?: string;
  /**
   * The names tsBMS gives its own battery on the GX (the 0x35E manufacturer, the 0x370/0x371
   * battery name): a battery service carrying one of them is never read. Default `['tsBMS']`.
   */
  readonly ownBatteryNames?: readonly string[];
  /** Keep-alives to the GX, below its 60 s timeout. Default 30 000 (1000..55 000). */
  readonly keepAliveIntervalMs?: number;
  /** How often the current is read while the battery monitor is in use. Default 1000 (100..10 000). */
  readonly readIntervalMs?: number;
  /** For messages; default `GX battery/<deviceInstance> over MQTT`. */
  readonly description?: string;
}

/**
 * Whether the configured battery service is read:
 * - `unknown`: not seen since (re)connecting; waiting for the GX's full publish;
 * - `accepted`: a battery service that is not tsBMS's own: its current is read;
 * - `own`: tsBMS's own battery (one of `ownBatteryNames`): never read;
 * - `absent`: a full publish completed without it (a wrong `deviceInstance`, a monitor switched off).
 */
export type GxBatteryServiceState = 'unknown' | 'accepted' | 'own' | 'absent';

/** What a full publish settles the service as. */
type Verdict = Exclude<GxBatteryServiceState, 'unknown'>;

const CURRENT_PATH = 'Dc/0/Current';
const IDENTITY_PATHS: ReadonlyMap<string, keyof GxBatteryIdentity> = new Map([
  ['ProductName', 'productName'],
  ['Manufacturer', 'manufacturer'],
]);
const UNKNOWN_IDENTITY: GxBatteryIdentity = Object.freeze({ productName: null, manufacturer: null });

/**
 * A Victron GX's battery monitor (a SmartShunt, a BMV, a Lynx Shunt) over the GX's own MQTT
 * broker (`gx-mqtt-topics.ts` has the layout) as a {@link CurrentSource}: `current$` carries the
 * monitor's `Dc/0/Current` (A, + = charging, as the GX has it), stamped with the clock when the
 * message arrives.
 *
 * After each connection it finds the portal ID (unless given), subscribes to the battery
 * service's current and identity, and sends a keep-alive every `keepAliveIntervalMs`: the first,
 * and every one until the service is identified, asks for a full publish; later ones suppress it.
 * The service is identified when the GX says its full publish is complete; until then nothing is
 * used, and a service that carries one of `ownBatteryNames` never is: tsBMS reports its own battery
 * to the GX over CAN, and that service's current is tsBMS's own number. Once accepted, the
 * current is also read every `readIntervalMs`, because the GX publishes a value only when it
 * changes and a steady current must not look like a silent sensor.
 *
 * `counters().dropped` counts current messages of the service that carry no number (invalid on
 * the D-Bus, malformed, not a number), logged once per run, and those of a refused own service.
 * Messages of other services, and those before the service is identified, are not counted.
 */
export class GxMqttCurrentSource implements CurrentSource {
  readonly description: string;
  readonly current$: Observable<CurrentSample>;

  private readonly currentSubject = new Subject<CurrentSample>();
  private readonly client: GxMqttClient;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly deviceInstance: string;
  private readonly ownNames: readonly string[];
  private readonly keepAliveIntervalMs: number;
  private readonly readIntervalMs: number;
  private readonly listening: Subscription;
  private portalId: string | null;
  private otherPortalLogged = false;
  /** Counts connections: work begun for an earlier one is dropped. */
  private connection = 0;
  private online = false;
  /** The keep-alive timer, or while the portal ID is sought, the wait for it. */
  private keepAlive: Subscription | null = null;
  private reads: Subscription | null = null;
  private identity = UNKNOWN_IDENTITY;
  /** The service sent anything since it was last forgotten. */
  private present = false;
  private state: GxBatteryServiceState = 'unknown';
  /** The last state logged, so a reconnection that finds the same service logs nothing. */
  private reported: Verdict | null = null;
  private lastSampleMs: number | null = null;
  private dropRun = 0;
  private samples = 0;
  private dropped = 0;

  constructor(options: GxMqttCurrentSourceOptions) {
    requireObject(options, 'options', 'GX MQTT options ({ client, clock, deviceInstance })');
    requireGxMqttClient(options.client, 'options.client');
    requireClock(options.clock, 'options.clock');
    if (options.logger !== undefined) requireLogger(options.logger, 'options.logger');
    this.description = options.description ?? `GX battery/${String(options.deviceInstance)} over MQTT`;
    const sensor = this.description;
    this.deviceInstance = String(requireInstance(sensor, options.deviceInstance));
    this.portalId = options.portalId === undefined ? null : requirePortalId(sensor, options.portalId);
    this.ownNames = requireOwnNames(sensor, options.ownBatteryNames ?? GX_MQTT_DEFAULT_OWN_BATTERY_NAMES);
    this.keepAliveIntervalMs = requireNumberIn(
      sensor,
      'keepAliveIntervalMs',
      options.keepAliveIntervalMs ?? GX_MQTT_DEFAULT_KEEPALIVE_INTERVAL_MS,
      1000,
      GX_KEEPALIVE_TIMEOUT_MS - 5000,
    );
    this.readIntervalMs = requireNumberIn(
      sensor,
      'readIntervalMs',
      options.readIntervalMs ?? GX_MQTT_DEFAULT_READ_INTERVAL_MS,
      100,
      10_000,
    );
    this.client = options.client;
    this.clock = options.clock;
    this.logger = options.logger ?? silentLogger;
    this.current$ = this.currentSubject.asObservable();
    this.listening = this.client.messages$.subscribe((message) => this.onMessage(message));
    this.listening.add(this.client.connected$.subscribe((connected) => this.onConnected(connected)));
  }

  counters(): CurrentSourceCounters {
    return { samples: this.samples, dropped: this.dropped };
  }

  /** Where the configured battery service stands (see {@link GxBatteryServiceState}). */
  batteryServiceState(): GxBatteryServiceState {
    return this.state;
  }

  /** Stops listening, keeping alive and reading, and completes `current$`; the client stays open. Idempotent. */
  close(): Promise<void> {
    if (!this.listening.closed) {
      this.listening.unsubscribe();
      this.stopTimers();
      this.currentSubject.complete();
    }
    return Promise.resolve();
  }

  private onConnected(connected: boolean): void {
    if (connected === this.online) return;
    this.online = connected;
    this.connection++;
    this.stopTimers();
    // Whatever happened on the GX while away (a service gone, another at its instance) is unknown.
    this.forgetService();
    if (!connected) return;
    if (this.portalId !== null) {
      void this.watchPortal(this.connection, this.portalId);
      return;
    }
    void this.subscribe(this.connection, [GX_SERIAL_TOPIC_FILTER]);
    // The GX retains its serial, so it comes at once; a broker without one is not a GX's.
    this.keepAlive = this.clock.schedule(() => {
      if (this.portalId === null)
        this.logger.warn(
          { event: 'currentSensor', sensor: this.description },
          `${this.description}: no GX on this broker yet (no retained ${GX_SERIAL_TOPIC_FILTER}); is MQTT on in the GX's Settings → Services?`,
        );
    }, this.keepAliveIntervalMs);
  }

  private async watchPortal(connection: number, portalId: string): Promise<void> {
    const topics = [CURRENT_PATH, ...IDENTITY_PATHS.keys()].map((path) =>
      gxNotificationTopic(this.address(portalId, path)),
    );
    if (!(await this.subscribe(connection, [...topics, gxFullPublishCompletedTopic(portalId)]))) return;
    this.sendKeepAlive(portalId);
    this.keepAlive = interval(this.keepAliveIntervalMs, this.clock).subscribe(() =>
      this.sendKeepAlive(portalId),
    );
  }

  /** True when every subscription is granted and the connection is still the same. */
  private async subscribe(connection: number, topics: readonly string[]): Promise<boolean> {
    try {
      await Promise.all(topics.map((topic) => this.client.subscribe(topic)));
    } catch (error) {
      // A lost connection shows on connected$ and is retried there; only a refusal is news.
      if (connection === this.connection)
        this.logger.warn(
          { event: 'currentSensor', sensor: this.description, topics, error: errorMessage(error) },
          `${this.description}: the broker refused a subscription (${errorMessage(error)}); nothing is read until it reconnects`,
        );
      return false;
    }
    return connection === this.connection;
  }

  private sendKeepAlive(portalId: string): void {
    const settled = this.state === 'accepted' || this.state === 'own';
    this.send(
      gxKeepAliveTopic(portalId),
      settled ? GX_KEEPALIVE_SUPPRESS_REPUBLISH : GX_KEEPALIVE_FULL_PUBLISH,
    );
  }

  private send(topic: string, payload: string): void {
    // A publish fails only when the connection is going: connected$ says so and everything restarts.
    this.client.publish(topic, payload).catch(() => undefined);
  }

  private address(portalId: string, path: string): GxItemAddress {
    return { portalId, serviceType: 'battery', instance: this.deviceInstance, path };
  }

  private onMessage({ topic, payload }: GxMqttMessage): void {
    const portalId = this.portalId;
    // The GX has published everything it has: the service is known now, or not there.
    if (portalId !== null && topic === gxFullPublishCompletedTopic(portalId)) {
      this.judge();
      return;
    }
    const address = parseGxNotificationTopic(topic);
    if (address === null) return;
    if (address.serviceType === 'system' && address.instance === '0' && address.path === 'Serial') {
      this.onPortal(address.portalId);
      return;
    }
    if (
      address.portalId !== portalId ||
      address.serviceType !== 'battery' ||
      address.instance !== this.deviceInstance
    )
      return;
    if (payload.length === 0) {
      this.serviceLeft();
      return;
    }
    this.present = true;
    const identityField = IDENTITY_PATHS.get(address.path);
    if (identityField !== undefined) this.onIdentity(identityField, payload);
    else if (address.path === CURRENT_PATH) this.onCurrent(payload);
  }

  private onPortal(found: string): void {
    if (this.portalId === null) {
      this.keepAlive?.unsubscribe();
      this.portalId = found;
      this.logger.info(
        { event: 'currentSensor', sensor: this.description, portalId: found },
        `${this.description}: found the GX with portal ID ${found}`,
      );
      if (this.online) void this.watchPortal(this.connection, found);
    } else if (found !== this.portalId && !this.otherPortalLogged) {
      this.otherPortalLogged = true;
      this.logger.warn(
        { event: 'currentSensor', sensor: this.description, portalId: this.portalId, otherPortalId: found },
        `${this.description}: the broker also has a GX with portal ID ${found}; reading ${this.portalId} (set portalId to choose)`,
      );
    }
  }

  private onIdentity(field: keyof GxBatteryIdentity, payload: Uint8Array): void {
    const decoded = decodeGxPayload(payload);
    const text = decoded.kind === 'value' && typeof decoded.value === 'string' ? decoded.value : null;
    this.identity = { ...this.identity, [field]: text };
    // A settled service is judged again at once: a name of ours must stop its current now.
    if (this.state === 'accepted' || this.state === 'own') this.judge();
  }

  private onCurrent(payload: Uint8Array): void {
    if (this.state === 'own') {
      this.dropped++;
      return;
    }
    if (this.state !== 'accepted') return;
    const reading = decodeGxNumber(payload);
    if (reading.kind === 'none') {
      this.drop(reading.reason);
      return;
    }
    const timeMs = this.clock.now();
    // A change and a read's answer can arrive in one instant; a second sample then would not be
    // newer than the first, which bms-core refuses (and logs).
    if (timeMs === this.lastSampleMs) return;
    this.lastSampleMs = timeMs;
    this.endDropRun();
    this.samples++;
    this.currentSubject.next({ timeMs, currentA: reading.value, quality: 'good' });
  }

  private judge(): void {
    const next: Verdict = !this.present
      ? 'absent'
      : isOwnBatteryService(this.identity, this.ownNames)
        ? 'own'
        : 'accepted';
    if (next === this.state) return;
    this.state = next;
    this.stopReads();
    if (next === 'accepted') this.startReads();
    if (next !== this.reported) {
      this.reported = next;
      this.report(next);
    }
  }

  private startReads(): void {
    const portalId = this.portalId;
    if (!this.online || portalId === null) return;
    const read = () => this.send(gxReadTopic(this.address(portalId, CURRENT_PATH)), '');
    read();
    this.reads = interval(this.readIntervalMs, this.clock).subscribe(read);
  }

  private report(state: Verdict): void {
    const service = `battery/${this.deviceInstance} on the GX ${this.portalId ?? ''}`;
    const name = this.identity.productName ?? this.identity.manufacturer ?? 'without a name';
    const fields = {
      event: 'currentSensor',
      sensor: this.description,
      portalId: this.portalId,
      deviceInstance: Number(this.deviceInstance),
      ...this.identity,
      state,
    };
    switch (state) {
      case 'accepted':
        this.logger.info(fields, `${this.description}: reading the current of ${service} (${name})`);
        return;
      case 'own':
        this.logger.error(
          fields,
          `${this.description}: ${service} is tsBMS's own battery (${name}), which tsBMS reports to the GX over CAN: its current would be our own number fed back, so it is never read. Set deviceInstance to the battery monitor's instance`,
        );
        return;
      case 'absent':
        this.logger.warn(
          fields,
          `${this.description}: the GX has no ${service}; check deviceInstance (the monitor's VRM instance). Waiting for it`,
        );
        return;
    }
  }

  private serviceLeft(): void {
    if (!this.present && this.state === 'unknown') return;
    if (this.present)
      this.logger.warn(
        { event: 'currentSensor', sensor: this.description, portalId: this.portalId, ...this.identity },
        `${this.description}: battery/${this.deviceInstance} left the GX; waiting for it to come back`,
      );
    this.forgetService();
    this.reported = null;
  }

  private forgetService(): void {
    this.identity = UNKNOWN_IDENTITY;
    this.present = false;
    this.state = 'unknown';
    this.stopReads();
  }

  private drop(reason: string): void {
    this.dropped++;
    if (++this.dropRun === 1)
      this.logger.warn(
        { event: 'currentSensor', sensor: this.description, reason },
        `${this.description}: dropped a current message (${reason}); the next ones like it are only counted`,
      );
  }

  private endDropRun(): void {
    if (this.dropRun === 0) return;
    this.logger.info(
      { event: 'currentSensor', sensor: this.description, droppedMessages: this.dropRun },
      `${this.description}: the current reads again after ${this.dropRun} dropped message(s)`,
    );
    this.dropRun = 0;
  }

  private stopReads(): void {
    this.reads?.unsubscribe();
    this.reads = null;
  }

  private stopTimers(): void {
    this.keepAlive?.unsubscribe();
    this.keepAlive = null;
    this.stopReads();
  }
}

function invalidOption(sensor: string, option: string, message: string): CurrentSensorError {
  return new CurrentSensorError('INVALID_OPTION', `${sensor}: ${option} ${message}`, { sensor, option });
}

function requireInstance(sensor: string, value: unknown): number {
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 0xffff)
    throw invalidOption(sensor, 'deviceInstance', `must be an integer in 0..65535, got ${String(value)}`);
  return value as number;
}

function requirePortalId(sensor: string, value: unknown): string {
  if (typeof value !== 'string' || !isGxTopicLevel(value))
    throw invalidOption(
      sensor,
      'portalId',
      `must be one MQTT topic level (no /, + or #), got ${String(value)}`,
    );
  return value;
}

function requireOwnNames(sensor: string, value: unknown): readonly string[] {
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    !value.every((name) => typeof name === 'string' && name.trim() !== '')
  )
    throw invalidOption(sensor, 'ownBatteryNames', 'must list at least one name tsBMS sends the GX');
  return Object.freeze([...(value as string[])]);
}
