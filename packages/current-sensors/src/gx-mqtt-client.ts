import { requirePort, type PortMembers } from '@tsbms/hal';
import type { Observable } from 'rxjs';

/** One message the broker delivered: its topic and its payload bytes as they came. */
export interface GxMqttMessage {
  readonly topic: string;
  readonly payload: Uint8Array;
}

export interface GxMqttPublishOptions {
  /** Kept by the broker for later subscribers (the GX does it for `N/<id>/system/0/Serial` only). */
  readonly retain?: boolean;
}

/**
 * What the GX MQTT driver needs of an MQTT client, so the driver stays pure: the controller
 * adapts mqtt.js to it, the tests use an in-memory broker. Quality of service 0 throughout, as
 * the GX publishes. The client (re)connects by itself; the driver subscribes again after each
 * connection (a clean session keeps no subscriptions).
 */
export interface GxMqttClient {
  /** Every message on the topics subscribed to. */
  readonly messages$: Observable<GxMqttMessage>;
  /** true while connected to the broker, false while not; the current state first, then each change. */
  readonly connected$: Observable<boolean>;
  /** Resolves when the broker has granted the subscription; rejects when not connected. */
  subscribe(topicFilter: string): Promise<void>;
  /** Resolves when the message is handed to the connection; rejects when not connected. */
  publish(topic: string, payload: string, options?: GxMqttPublishOptions): Promise<void>;
}

export const GX_MQTT_CLIENT_MEMBERS: PortMembers = {
  messages$: 'observable',
  connected$: 'observable',
  subscribe: 'function',
  publish: 'function',
};

export function requireGxMqttClient(value: unknown, argument: string): asserts value is GxMqttClient {
  requirePort(value, argument, GX_MQTT_CLIENT_MEMBERS, 'a GxMqttClient');
}
