import fc from 'fast-check';
import { ChangeDetector } from './change-detector';
import type { MqttMessage } from './topics';

/** A broker's retained store: an empty payload deletes the topic. */
function applyRetained(broker: Map<string, string>, messages: readonly MqttMessage[]): void {
  for (const { topic, payload } of messages) {
    if (payload === '') broker.delete(topic);
    else broker.set(topic, payload);
  }
}

const stateArb = fc
  .dictionary(fc.constantFrom('p/a', 'p/b', 'p/c', 'm/1/v', 'm/2/v'), fc.constantFrom('1', '2', 'None', 'ON'))
  .map((record) => new Map(Object.entries(record)));

describe('ChangeDetector', () => {
  it('publishes only what changed, and clears topics that left the state', () => {
    const detector = new ChangeDetector();
    expect(
      detector.update(
        new Map([
          ['a', '1'],
          ['b', '2'],
        ]),
        false,
      ),
    ).toEqual([
      { topic: 'a', payload: '1' },
      { topic: 'b', payload: '2' },
    ]);
    expect(
      detector.update(
        new Map([
          ['a', '1'],
          ['b', '2'],
        ]),
        false,
      ),
    ).toEqual([]);
    expect(detector.update(new Map([['a', '3']]), false)).toEqual([
      { topic: 'a', payload: '3' },
      { topic: 'b', payload: '' },
    ]);
  });

  it('publishes every topic on a full refresh, even unchanged', () => {
    const detector = new ChangeDetector();
    const state = new Map([
      ['a', '1'],
      ['b', '2'],
    ]);
    detector.update(state, false);
    expect(detector.update(state, true).map((m) => m.topic)).toEqual(['a', 'b']);
  });

  it('property: a broker fed the messages always holds the latest state; a full refresh covers every topic', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(stateArb, fc.boolean()), { minLength: 1, maxLength: 20 }), (steps) => {
        const detector = new ChangeDetector();
        const broker = new Map<string, string>();
        let previous = new Map<string, string>();
        for (const [state, full] of steps) {
          const messages = detector.update(state, full);
          applyRetained(broker, messages);
          expect(broker).toEqual(state);
          const topics = new Set(messages.map((m) => m.topic));
          if (full) for (const topic of state.keys()) expect(topics.has(topic)).toBe(true);
          else {
            // Minimal: nothing that was already there with the same payload.
            for (const { topic, payload } of messages) expect(previous.get(topic)).not.toBe(payload);
          }
          previous = state;
        }
      }),
    );
  });

  it('property: a late subscriber after a full refresh and later changes sees the latest state', () => {
    fc.assert(
      fc.property(stateArb, fc.array(stateArb, { maxLength: 10 }), (first, later) => {
        const detector = new ChangeDetector();
        detector.update(new Map([['stale', 'x']]), false);
        const broker = new Map<string, string>([['stale', 'x']]);
        applyRetained(broker, detector.update(first, true));
        for (const state of later) applyRetained(broker, detector.update(state, false));
        expect(broker).toEqual(later.at(-1) ?? first);
      }),
    );
  });
});
