import { ManualClock } from '@tsbms/hal';
import type { BmsStatus } from '@tsbms/bms-core';
import { activeFault, bmsStatus, FakeOutputContext } from '@tsbms/bms-core/testing';
import type { ActiveFault, FaultEvent } from '@tsbms/fault-engine';
import { notificationsConfigSchema } from './notifications-config';
import { startNotificationsOutput, type NotificationsOutputSettings } from './notifications-output';
import type { OutputService } from '@tsbms/bms-core';
import { CaptureHttpServer } from './spec-support/capture-http-server';
import { SmtpTestServer } from './spec-support/smtp-test-server';

/*
 * The output with its real channels against real local servers: one HTTP server standing in for
 * ntfy, Gotify, the webhook receiver and the heartbeat service (told apart by path), and an SMTP
 * server on loopback. The policy runs in virtual time (ManualClock); the deliveries are real
 * network I/O, so each check waits (bounded) until the servers have what was sent.
 */

const T0 = Date.UTC(2026, 11, 5, 12, 0, 0);
const CELL = { moduleAddress: 2, cellIndex: 2, quantity: 'cellVoltage' as const };
const SENSOR = { moduleAddress: 1, sensorIndex: 0, quantity: 'temperature' as const };

let http: CaptureHttpServer;
let smtp: SmtpTestServer;
let clock: ManualClock;
let context: FakeOutputContext<NotificationsOutputSettings>;
let output: OutputService;

const scanAt = (faults: readonly ActiveFault[] = []): BmsStatus =>
  bmsStatus({
    timestampMs: clock.now(),
    modules: [],
    packVoltageV: null,
    currentA: null,
    socPercent: null,
    faults: [...faults],
  });
const event = (type: FaultEvent['type'], fields: Partial<FaultEvent>): FaultEvent => ({
  type,
  timestampMs: clock.now(),
  kind: 'cellOverVoltage',
  level: 'fault',
  location: CELL,
  value: 4.17,
  source: 'engine',
  latched: true,
  ...fields,
});
/** What each channel got, as titles, by the path it posts to. */
const titlesAt = (path: string) =>
  http.requests
    .filter((r) => r.path === path)
    .map(
      (r) => (r.headers['x-title'] as string | undefined) ?? (JSON.parse(r.body) as { title: string }).title,
    );

/** Waits, at most 5 s of real time, for the servers to have what the output sent. */
async function received(counts: { http: number; mail: number }): Promise<void> {
  const until = Date.now() + 5000;
  const has = () =>
    http.requests.filter((r) => r.path !== '/ping/check-id').length >= counts.http &&
    smtp.mails.length >= counts.mail;
  while (!has() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
  expect({
    http: http.requests.filter((r) => r.path !== '/ping/check-id').length,
    mail: smtp.mails.length,
  }).toEqual(counts);
}

/** Advances virtual time by `seconds`, publishing a scan every 5 s with `faults` active. */
async function scan(seconds: number, faults: readonly ActiveFault[] = []): Promise<void> {
  for (let s = 0; s < seconds; s += 5) {
    context.publishStatus(scanAt(faults));
    await clock.advanceByMs(5000);
  }
}

beforeAll(async () => {
  http = await CaptureHttpServer.start();
  smtp = await SmtpTestServer.start();
  clock = new ManualClock(T0);
  const notifications = notificationsConfigSchema.parse({
    title: 'Garage BMS',
    quietPeriodS: 300,
    reminderIntervalS: 600,
    ntfy: { url: http.url, topic: 'tsbms-test' },
    gotify: { url: http.url, token: 'gotify-app-token' },
    webhook: { url: `${http.url}/hook`, bearerToken: null },
    email: { host: '127.0.0.1', port: smtp.port, from: 'bms@example.org', to: ['owner@example.org'] },
    heartbeat: { url: `${http.url}/ping/check-id`, intervalS: 60 },
  });
  context = new FakeOutputContext({ clock, settings: { notifications }, status: scanAt() });
  const started = await startNotificationsOutput()(context);
  if (started === null) throw new Error('the output did not start');
  output = started;
});

afterAll(async () => {
  await output?.stop();
  await http?.close();
  await smtp?.close();
});

describe('notifications against local ntfy, Gotify, webhook and SMTP servers', () => {
  const latched = activeFault({
    kind: 'cellOverVoltage',
    level: 'fault',
    latched: true,
    clearable: true,
    location: CELL,
  });

  it('one message per raise on every channel', async () => {
    context.publishFault(event('raise', {}));
    context.publishFault(event('raise', {})); // the same fault again: no second message
    await scan(5, [latched]);
    await received({ http: 3, mail: 1 });
    const title = 'Garage BMS: cell over voltage fault at module 2 cell 3 raised';
    expect(titlesAt('/tsbms-test')).toEqual([title]);
    expect(titlesAt('/message')).toEqual([title]);
    expect(titlesAt('/hook')).toEqual([title]);
    expect(smtp.mails.map((m) => [m.subject, m.headers.get('to')])).toEqual([[title, 'owner@example.org']]);
  });

  it('nothing for a warning that flaps inside its quiet period; its final state once the period ends', async () => {
    const warning = {
      kind: 'overTemperature' as const,
      level: 'warning' as const,
      location: SENSOR,
      latched: false,
      value: 52,
    };
    for (const type of ['raise', 'clear', 'raise', 'clear', 'raise', 'clear'] as const) {
      context.publishFault(event(type, warning));
      await scan(20, [latched]);
    }
    // Raised at 5 s, flapping until 105 s: one message; within the quiet period (to 305 s) nothing more.
    await received({ http: 6, mail: 2 });
    expect(titlesAt('/tsbms-test').at(-1)).toBe(
      'Garage BMS: over temperature warning at module 1 sensor 1 raised',
    );
    await scan(170, [latched]);
    await received({ http: 6, mail: 2 });
    // The period ends with it cleared, unlike what was told: one message, saying it flapped.
    await scan(10, [latched]);
    await received({ http: 9, mail: 3 });
    expect(smtp.mails.at(-1)?.subject).toBe(
      'Garage BMS: over temperature warning at module 1 sensor 1 cleared',
    );
    expect(smtp.mails.at(-1)?.text).toContain('It changed 5 times within the quiet period.');
  });

  it('escalation: the latched fault is repeated every reminder interval until acknowledged, then the clear', async () => {
    await scan(600 - 305, [latched]); // to 600 s after the raise at 0 s at 0 s
    await received({ http: 12, mail: 4 });
    expect(smtp.mails.at(-1)?.subject).toBe(
      'Garage BMS: cell over voltage fault at module 2 cell 3 waiting for acknowledgement',
    );
    await scan(600, [latched]);
    await received({ http: 15, mail: 5 });
    context.publishFault(event('acknowledge', { source: 'http' }));
    context.publishFault(event('clear', { source: 'http' }));
    await scan(5);
    await received({ http: 18, mail: 6 });
    expect(titlesAt('/hook').at(-1)).toBe(
      'Garage BMS: cell over voltage fault at module 2 cell 3 acknowledged (http)',
    );
    expect(http.requests.find((r) => r.path === '/message')?.headers['x-gotify-key']).toBe(
      'gotify-app-token',
    );
  });

  it('the heartbeat is pinged every minute while scans complete, and stops when they stop', async () => {
    const pings = () => http.requests.filter((r) => r.path === '/ping/check-id').length;
    // Scans every 5 s for 1210 s so far: a ping at 0 s and every 60 s after.
    const until = Date.now() + 5000;
    while (pings() < 21 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(pings()).toBe(21);
    await clock.advanceByMs(600_000); // no scans
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(pings()).toBe(21);
    await scan(5);
    const back = Date.now() + 5000;
    while (pings() < 22 && Date.now() < back) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(pings()).toBe(22);
    expect(output.status()).toMatchObject({ state: 'ok', details: { heartbeat: { failing: false } } });
  });
});
