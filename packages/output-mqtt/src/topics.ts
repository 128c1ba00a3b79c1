/*
 * Topic layout under the configured prefix (README "MQTT and Home Assistant"). Modules are
 * numbered by their bus address, cells and thermistors from 1, as in the log messages.
 *
 *   <prefix>/status                        online / offline, retained, the last will
 *   <prefix>/pack/<field>                  pack values (see state-messages.ts)
 *   <prefix>/module/<n>/<field>            one module's values
 *   <prefix>/module/<n>/temperature/<t>    one thermistor, °C
 *   <prefix>/cell/<n>/<c>/<field>          one cell's voltage and balancing flag
 *   <prefix>/cmd/config/set | faults/ack | restart    commands (JSON)
 *   <prefix>/cmd/response                  one JSON answer per command, with the request's id
 */

export interface MqttTopics {
  readonly prefix: string;
  /** Availability: `online` / `offline`, retained; the last will publishes `offline`. */
  readonly availability: string;
  readonly configSet: string;
  readonly faultsAck: string;
  readonly restart: string;
  readonly response: string;
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
    response: `${commands}/response`,
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
