import fc from 'fast-check';
import type { FaultEvent, FaultEventType, FaultLevel } from '@tsbms/fault-engine';
import { activeFault } from '@tsbms/bms-core/testing';
import {
  initialNotificationPolicyState,
  stepNotificationPolicy,
  type NotificationPolicyInput,
  type NotificationPolicySettings,
  type NotificationPolicyState,
} from './notification-policy';
import type { Notification } from './notification';

const SETTINGS: NotificationPolicySettings = {
  title: 'tsBMS garage',
  minLevel: 'warning',
  quietPeriodMs: 300_000,
  reminderIntervalMs: 3_600_000,
};
const T0 = Date.UTC(2026, 11, 5, 12, 0, 0);

function event(type: FaultEventType, atS: number, fields: Partial<FaultEvent> = {}): NotificationPolicyInput {
  return {
    type: 'fault',
    event: {
      type,
      timestampMs: T0 + atS * 1000,
      kind: 'cellOverVoltage',
      level: 'fault',
      location: { moduleAddress: 2, cellIndex: 2, quantity: 'cellVoltage' },
      value: 4.17,
      source: type === 'acknowledge' ? 'http' : 'engine',
      latched: false,
      ...fields,
    },
  };
}
const tick = (atS: number, faults = [] as ReturnType<typeof activeFault>[]): NotificationPolicyInput => ({
  type: 'tick',
  atMs: T0 + atS * 1000,
  faults,
});

/** Runs the inputs in order; every message with the second it went out. */
function run(
  inputs: readonly NotificationPolicyInput[],
  settings = SETTINGS,
  initial: NotificationPolicyState = { tracks: new Map() },
): Notification[] {
  let state = initial;
  const sent: Notification[] = [];
  for (const input of inputs) {
    const step = stepNotificationPolicy(state, input, settings);
    state = step.state;
    sent.push(...step.notifications);
  }
  return sent;
}
const summary = (sent: Notification[]) => sent.map((n) => [(n.atMs - T0) / 1000, n.event, n.priority]);

describe('stepNotificationPolicy', () => {
  it('one message per raise, urgent for a fault, with what, where, the value and when', () => {
    const sent = run([event('raise', 0), tick(1), event('raise', 2), tick(3)]);
    expect(summary(sent)).toEqual([[0, 'raised', 'urgent']]);
    expect(sent[0]).toMatchObject({
      key: 'cellOverVoltage/fault@module 2 cell 3',
      level: 'fault',
      title: 'tsBMS garage: cell over voltage fault at module 2 cell 3 raised',
    });
    expect(sent[0].message).toBe(
      'cell over voltage fault at module 2 cell 3: raised.\nValue: 4.17.\nAt 2026-12-05T12:00:00.000Z.',
    );
  });

  it('a clear after the quiet period is one message; a warning is high, not urgent', () => {
    expect(summary(run([event('raise', 0), event('clear', 400), tick(401)]))).toEqual([
      [0, 'raised', 'urgent'],
      [400, 'cleared', 'default'],
    ]);
    expect(summary(run([event('raise', 0, { level: 'warning' })]))).toEqual([[0, 'raised', 'high']]);
  });

  it('nothing for a fault that flaps inside its quiet period; its state once the period ends, if changed', () => {
    const flaps = [0, 20, 40, 60, 80].map((s, i) => event(i % 2 === 0 ? 'raise' : 'clear', s));
    const ticks = Array.from({ length: 400 }, (_, s) => tick(s + 1));
    // Ends raised, as told: nothing after the first message.
    expect(summary(run([...flaps, ...ticks].sort(byTime)))).toEqual([[0, 'raised', 'urgent']]);
    // Ends cleared: one message when the period is over, saying it flapped.
    const sent = run([...flaps, event('clear', 100), ...ticks].sort(byTime));
    expect(summary(sent)).toEqual([
      [0, 'raised', 'urgent'],
      [300, 'cleared', 'default'],
    ]);
    expect(sent[1].message).toContain('It changed 5 times within the quiet period.');
    // A raise right after a told clear is held back too.
    expect(summary(run([event('raise', 0), event('clear', 400), event('raise', 405), tick(500)]))).toEqual([
      [0, 'raised', 'urgent'],
      [400, 'cleared', 'default'],
    ]);
  });

  it('reminds of a latched fault every interval until it is acknowledged (escalation), then says so', () => {
    const latched = { latched: true };
    const waiting = [
      activeFault({
        kind: 'cellOverVoltage',
        level: 'fault',
        latched: true,
        clearable: true,
        location: { moduleAddress: 2, cellIndex: 2, quantity: 'cellVoltage' },
      }),
    ];
    const inputs = [
      event('raise', 0, latched),
      ...[1800, 3600, 5400, 7200, 7300].map((s) => tick(s, waiting)),
      event('acknowledge', 7400, latched),
      event('clear', 7400, { ...latched, source: 'http' }),
      tick(11_000),
    ];
    const sent = run(inputs);
    expect(summary(sent)).toEqual([
      [0, 'raised', 'urgent'],
      [3600, 'reminder', 'urgent'],
      [7200, 'reminder', 'urgent'],
      [7400, 'acknowledged', 'default'],
    ]);
    expect(sent[1].title).toBe(
      'tsBMS garage: cell over voltage fault at module 2 cell 3 waiting for acknowledgement',
    );
    expect(sent[1].message).toContain('acknowledge it');
    expect(sent[3].title).toContain('acknowledged (http)');
    // reminderIntervalS 0: told once.
    expect(summary(run(inputs, { ...SETTINGS, reminderIntervalMs: 0 }))).toEqual([
      [0, 'raised', 'urgent'],
      [7400, 'acknowledged', 'default'],
    ]);
  });

  it('a reminder says what raised the fault and, apart from it, what holds now (issue 17)', () => {
    const raisedWith = { value: 3, threshold: 4, detail: 'discovered 3, configured 4' };
    const fault = activeFault({
      kind: 'moduleCountMismatch',
      level: 'fault',
      latched: true,
      clearable: true,
      ...raisedWith,
      now: { value: 4, threshold: 4, detail: 'discovered 4, configured 4' },
    });
    const raise = event('raise', 0, {
      kind: 'moduleCountMismatch',
      location: {},
      latched: true,
      ...raisedWith,
    });
    const [, reminder] = run([raise, tick(3600, [fault])]);
    expect(reminder.message).toBe(
      [
        'module count mismatch fault at pack: waiting for acknowledgement.',
        'Value: 3.',
        'discovered 3, configured 4.',
        'Now: value 4, discovered 4, configured 4.',
        'The cause has gone; the fault is latched: acknowledge it (dashboard, MQTT or the HTTP API) to let the contactors close again.',
        'At 2026-12-05T13:00:00.000Z.',
      ].join('\n'),
    );
  });

  it('leaves out what is below minLevel', () => {
    const settings = { ...SETTINGS, minLevel: 'fault' as FaultLevel };
    expect(
      run([event('raise', 0, { level: 'warning' }), event('clear', 400, { level: 'warning' })], settings),
    ).toEqual([]);
    expect(run([event('raise', 0, { level: 'info' })])).toEqual([]);
  });

  it('starting with active faults (after a restart): nothing repeated, a latched one reminded of after the interval', () => {
    const fault = activeFault({
      kind: 'moduleCommsLoss',
      level: 'fault',
      latched: true,
      clearable: false,
      location: { moduleAddress: 1 },
    });
    const initial = initialNotificationPolicyState([fault], T0, SETTINGS);
    expect(summary(run([tick(1, [fault]), tick(3600, [fault])], SETTINGS, initial))).toEqual([
      [3600, 'reminder', 'urgent'],
    ]);
    expect(run([tick(3600, [fault])], SETTINGS, initial)[0].title).toContain('still active');
  });

  it('property: per fault, raised and cleared alternate, never closer than the quiet period, and the last word is the final state', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 600 }), fc.boolean()), { minLength: 1, maxLength: 40 }),
        (changes) => {
          let atS = 0;
          let active = false;
          const inputs: NotificationPolicyInput[] = [];
          for (const [afterS, tickToo] of changes) {
            atS += afterS;
            active = !active;
            inputs.push(event(active ? 'raise' : 'clear', atS));
            if (tickToo) inputs.push(tick(atS + 1));
          }
          inputs.push(tick(atS + 301));
          const told = run(inputs).filter((n) => n.event === 'raised' || n.event === 'cleared');
          told.forEach((n, i) => {
            expect(n.event).toBe(i % 2 === 0 ? 'raised' : 'cleared');
            if (i > 0) expect(n.atMs - told[i - 1].atMs).toBeGreaterThanOrEqual(SETTINGS.quietPeriodMs);
          });
          expect(told.at(-1)?.event ?? 'cleared').toBe(active ? 'raised' : 'cleared');
        },
      ),
    );
  });
});

function byTime(a: NotificationPolicyInput, b: NotificationPolicyInput): number {
  const at = (i: NotificationPolicyInput) => (i.type === 'fault' ? i.event.timestampMs : i.atMs);
  return at(a) - at(b);
}
