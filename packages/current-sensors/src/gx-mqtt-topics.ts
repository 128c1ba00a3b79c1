/*
 * The MQTT layout of a Victron GX (Venus OS ≥ 3.20: FlashMQ with the dbus-flashmq plugin, port
 * 1883 on the LAN), from victronenergy/dbus-flashmq's README ("Notifications", "Read requests",
 * "Keep-alive") and its sources (src/types.cpp `Item::publish`, `should_be_retained`; src/state.cpp
 * `handle_keepalive`, `remove_dbus_service`), restated:
 *
 * - every D-Bus value is published as `N/<portal ID>/<service type>/<device instance>/<D-Bus path>`
 *   with the JSON payload `{"value": …}` (settings add "min" and "max"), never retained, and only
 *   when it changes, and only while a client keeps the GX alive;
 * - `{"value": null}` is a value that is invalid on the D-Bus (not present, not measured);
 * - a payload of zero bytes (no JSON at all) is sent for every path of a service that left the
 *   D-Bus (a device disconnected);
 * - `N/<portal ID>/system/0/Serial` alone is retained: its value is the portal ID, so a client that
 *   does not know the ID subscribes to `N/+/system/0/Serial`;
 * - a message to `R/<portal ID>/keepalive` keeps the GX publishing for 60 s; with an empty payload
 *   it also publishes every value once and ends with `N/<portal ID>/full_publish_completed`; with
 *   `{"keepalive-options":["suppress-republish"]}` it does not;
 * - a message to `R/<portal ID>/<service type>/<instance>/<path>` reads that value from the D-Bus
 *   and publishes it, changed or not, alive or not.
 */

/** Where dbus-flashmq publishes one D-Bus value. */
export interface GxItemAddress {
  readonly portalId: string;
  /** `battery`, `solarcharger`, `system`, …: the D-Bus service name's third part. */
  readonly serviceType: string;
  /** The device instance as it stands in the topic: digits (`279`), a name for a few services (`rvc/can0`). */
  readonly instance: string;
  /** The D-Bus path without its leading slash: `Dc/0/Current`. */
  readonly path: string;
}

/** The GX stops publishing changes this long after the last keep-alive (dbus-flashmq's timeout). */
export const GX_KEEPALIVE_TIMEOUT_MS = 60_000;

/** Where the retained portal ID of every GX on the broker is found. */
export const GX_SERIAL_TOPIC_FILTER = 'N/+/system/0/Serial';

/** A keep-alive that also makes the GX publish every value once. */
export const GX_KEEPALIVE_FULL_PUBLISH = '';

/** A keep-alive that only keeps the GX publishing changes. */
export const GX_KEEPALIVE_SUPPRESS_REPUBLISH = '{"keepalive-options":["suppress-republish"]}';

/** One topic level: not empty, no separator, no wildcard. */
const TOPIC_LEVEL = /^[^/+#]+$/;

export const isGxTopicLevel = (text: string): boolean => TOPIC_LEVEL.test(text);

export const gxKeepAliveTopic = (portalId: string): string => `R/${portalId}/keepalive`;

export const gxFullPublishCompletedTopic = (portalId: string): string =>
  `N/${portalId}/full_publish_completed`;

const itemTopic = (action: 'N' | 'R', { portalId, serviceType, instance, path }: GxItemAddress) =>
  `${action}/${portalId}/${serviceType}/${instance}/${path}`;

/** `N/<portal ID>/<service type>/<instance>/<path>`: where the GX publishes the value. */
export const gxNotificationTopic = (address: GxItemAddress): string => itemTopic('N', address);

/** `R/<portal ID>/<service type>/<instance>/<path>`: asks the GX to publish the value now. */
export const gxReadTopic = (address: GxItemAddress): string => itemTopic('R', address);

/** The address of a notification topic; null for anything else (requests, `full_publish_completed`). */
export function parseGxNotificationTopic(topic: string): GxItemAddress | null {
  const levels = topic.split('/');
  if (levels.length < 5 || levels[0] !== 'N') return null;
  const [, portalId, serviceType, instance, ...pathLevels] = levels;
  if (![portalId, serviceType, instance, ...pathLevels].every(isGxTopicLevel)) return null;
  return { portalId, serviceType, instance, path: pathLevels.join('/') };
}

/** What a notification's payload says. */
export type GxPayload =
  /** Zero bytes: the service left the D-Bus. */
  | { readonly kind: 'removed' }
  /** The JSON's `value`; null when the value is invalid on the D-Bus. */
  | { readonly kind: 'value'; readonly value: unknown }
  | { readonly kind: 'malformed'; readonly reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A notification's payload; never throws. */
export function decodeGxPayload(bytes: Uint8Array): GxPayload {
  if (bytes.length === 0) return { kind: 'removed' };
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(bytes));
  } catch {
    return { kind: 'malformed', reason: 'not JSON text' };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json) || !('value' in json))
    return { kind: 'malformed', reason: 'not an object with a value' };
  return { kind: 'value', value: json.value };
}

/** The payload the GX publishes for `value`. */
export function encodeGxPayload(value: unknown): string {
  return JSON.stringify({ value });
}

/** A numeric value, or why a payload gives none. */
export type GxNumber =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'none'; readonly reason: string };

/** A notification as a finite number; null (invalid on the D-Bus), text or an overflow give none. */
export function decodeGxNumber(bytes: Uint8Array): GxNumber {
  const payload = decodeGxPayload(bytes);
  if (payload.kind === 'removed') return { kind: 'none', reason: 'the service left the GX' };
  if (payload.kind === 'malformed') return { kind: 'none', reason: payload.reason };
  if (payload.value === null) return { kind: 'none', reason: 'no value (invalid on the D-Bus)' };
  if (typeof payload.value !== 'number') return { kind: 'none', reason: 'a value that is not a number' };
  // The GX writes a NaN or infinite double as null (nlohmann::json's dump_float), but JSON.parse
  // makes 1e999 infinite.
  if (!Number.isFinite(payload.value)) return { kind: 'none', reason: 'a number out of range' };
  return { kind: 'number', value: payload.value };
}
