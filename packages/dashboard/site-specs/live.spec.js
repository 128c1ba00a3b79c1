import { connectLive } from '../site/live.js';

/** Behaves like the browser's: listeners by event name, readyState, CLOSED = 2. */
class FakeEventSource {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSED = 2;
  static instances = [];

  constructor(url) {
    this.url = url;
    this.readyState = FakeEventSource.CONNECTING;
    this.listeners = new Map();
    this.closed = false;
    FakeEventSource.instances.push(this);
  }

  addEventListener(name, listener) {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), listener]);
  }

  close() {
    this.closed = true;
    this.readyState = FakeEventSource.CLOSED;
  }

  emit(name, event = {}) {
    for (const listener of this.listeners.get(name) ?? []) listener(event);
  }
}

describe('connectLive', () => {
  let received;
  let live;

  beforeEach(() => {
    jest.useFakeTimers();
    FakeEventSource.instances = [];
    globalThis.EventSource = FakeEventSource;
    received = { states: [], statuses: [], faults: [] };
    live = connectLive({
      url: '/api/stream',
      retryMs: 3000,
      onStatus: (s) => received.statuses.push(s),
      onFault: (f) => received.faults.push(f),
      onState: (s) => received.states.push(s),
    });
  });

  afterEach(() => {
    live.close();
    jest.useRealTimers();
    delete globalThis.EventSource;
  });

  const current = () => FakeEventSource.instances[FakeEventSource.instances.length - 1];

  it('is connecting, then live once the stream opens, and passes on status and fault events', () => {
    expect(current().url).toBe('/api/stream');
    current().readyState = FakeEventSource.OPEN;
    current().emit('open');
    current().emit('status', { data: '{"packVoltageV":350.5}' });
    current().emit('fault', { data: '{"type":"raise","kind":"cellOverVoltage"}' });
    expect(received.states).toEqual(['connecting', 'live']);
    expect(received.statuses).toEqual([{ packVoltageV: 350.5 }]);
    expect(received.faults).toEqual([{ type: 'raise', kind: 'cellOverVoltage' }]);
  });

  it('says reconnecting on a dropped stream and leaves the retry to EventSource', () => {
    current().emit('open');
    current().readyState = FakeEventSource.CONNECTING;
    current().emit('error');
    jest.advanceTimersByTime(10_000);
    expect(received.states).toEqual(['connecting', 'live', 'reconnecting']);
    expect(FakeEventSource.instances).toHaveLength(1);
    current().emit('open');
    expect(received.states[received.states.length - 1]).toBe('live');
  });

  it('opens a new stream after retryMs when the server refused it', () => {
    current().readyState = FakeEventSource.CLOSED;
    current().emit('error');
    expect(received.states).toEqual(['connecting', 'reconnecting']);
    jest.advanceTimersByTime(2999);
    expect(FakeEventSource.instances).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(FakeEventSource.instances).toHaveLength(2);
    current().emit('open');
    expect(received.states[received.states.length - 1]).toBe('live');
  });

  it('stops retrying and closes the stream on close()', () => {
    current().readyState = FakeEventSource.CLOSED;
    current().emit('error');
    live.close();
    jest.advanceTimersByTime(10_000);
    expect(FakeEventSource.instances).toHaveLength(1);

    const ignore = () => undefined;
    const other = connectLive({ onStatus: ignore, onFault: ignore, onState: ignore });
    const source = current();
    other.close();
    expect(source.closed).toBe(true);
  });
});
