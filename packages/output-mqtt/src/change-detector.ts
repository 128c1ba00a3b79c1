import type { MqttMessage } from './topics';

/**
 * Which value messages to publish for a new state, given what was published before. A topic
 * that is no longer part of the state (a module gone after rediscovery) gets an empty payload,
 * which deletes the retained value on the broker.
 */
export class ChangeDetector {
  private readonly published = new Map<string, string>();

  /**
   * The messages that bring the broker from the last published state to `state`: only the
   * changed topics, or every topic when `full` (the periodic refresh, a new connection). Call it
   * only when the messages are then actually handed to the client.
   */
  update(state: ReadonlyMap<string, string>, full: boolean): MqttMessage[] {
    const messages: MqttMessage[] = [];
    for (const [topic, payload] of state) {
      if (full || this.published.get(topic) !== payload) {
        messages.push({ topic, payload });
        this.published.set(topic, payload);
      }
    }
    for (const topic of [...this.published.keys()]) {
      if (!state.has(topic)) {
        messages.push({ topic, payload: '' });
        this.published.delete(topic);
      }
    }
    return messages;
  }
}
