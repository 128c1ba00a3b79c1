/*
 * Topic layout under the configured prefix (README "MQTT and Home Assistant"). Modules are
 * numbered by their bus address, cells and thermistors from 1, as in the log messages.
 *
 *   <prefix>/status                        online / offline, retained, the last will
 *   <prefix>/pack/<field>                  pack values (see state-messages.ts)
 *   <prefix>/module/<n>/<field>            one module's values
 *   <prefix>/module/<n>/temperature/<t>    one thermistor, °C
 *   <prefix>/cell/<n>/<c>/<field>          one cell's voltage and balancing flag
 *   <prefix>/cmd/config/set | faults/ack | restart | balance    commands (JSON)
 *   <prefix>/cmd/response                  one JSON answer per command, with the request's id
 *   <prefix>/ha/<control>/set              Home Assistant's buttons, switches and numbers (plain payloads)
 *   <prefix>/setting/<control>             the running value of a switch's or number's setting
 */

export interface MqttTopics {
  readonly prefix: string;
  /** Availability: `online` / `offline`, retained; the last will publishes `offline`. */
  readonly availability: string;
  readonly configSet: string;
  readonly faultsAck: string;
  readonly restart: string;
  readonly balance: string;
  readonly response: string;
  /** Where a Home Assistant control (ha-controls.ts) sends its command. */
  homeAssistantControl(objectId: string): string;
  /** A switch's or number's running setting, as its HA state. */
  setting(objectId: string): string;
  pack(field: string): string;
  module(address: number, field: string): string;
  moduleTemperature(address: number, sensor: number): string;
  cell(address: number, cell: number, field: string): string;
}

export const AVAILABILITY_ONLINE = 'online';
export const AVAILABILITY_OFFLINE = 'offline';

export function mqttTopics(prefix: string): MqttTopics {
  const commands = `${prefix}/cmd`;
  return Object.freeze({
    prefix,
    availability: `${prefix}/status`,
    configSet: `${commands}/config/set`,
    faultsAck: `${commands}/faults/ack`,
    restart: `${commands}/restart`,
    balance: `${commands}/balance`,
    response: `${commands}/response`,
    homeAssistantControl: (objectId: string) => `${prefix}/ha/${objectId}/set`,
    setting: (objectId: string) => `${prefix}/setting/${objectId}`,
    pack: (field: string) => `${prefix}/pack/${field}`,
    module: (address: number, field: string) => `${prefix}/module/${address}/${field}`,
    moduleTemperature: (address: number, sensor: number) =>
      `${prefix}/module/${address}/temperature/${sensor}`,
    cell: (address: number, cell: number, field: string) => `${prefix}/cell/${address}/${cell}/${field}`,
  });
}

/** One MQTT message to publish. An empty payload on a retained topic deletes what the broker keeps. */
export interface MqttMessage {
  readonly topic: string;
  readonly payload: string;
}
