import { ManualClock } from '@tsbms/hal';
import { bmsStatus, FakeOutputContext } from '@tsbms/bms-core/testing';
import { notificationsConfigSchema, startNotificationsOutput } from '@tsbms/output-notifications';
import { RecordingChannel } from '@tsbms/output-notifications/testing';

// The section as the controller validates it (here with a short quiet period), and a channel in
// memory instead of ntfy: startNotificationsOutput() alone builds the configured real channels.
const notifications = notificationsConfigSchema.parse({ title: 'Garage BMS', quietPeriodS: 60 });
const phone = new RecordingChannel('ntfy');
const startOutput = startNotificationsOutput({ channelsFor: () => [phone] });

const clock = new ManualClock(Date.UTC(2026, 11, 5, 12, 0, 0)); // virtual time
const status = bmsStatus({
  timestampMs: clock.now(),
  modules: [],
  packVoltageV: null,
  currentA: null,
  socPercent: null,
});
const context = new FakeOutputContext({ clock, settings: { notifications }, status });

async function main(): Promise<void> {
  const output = await startOutput(context);
  const fault = {
    timestampMs: clock.now(),
    kind: 'overTemperature',
    level: 'fault',
    location: { moduleAddress: 3, sensorIndex: 1 },
    value: 61.5,
    source: 'engine',
    latched: false,
  } as const;
  context.publishFault({ ...fault, type: 'raise' });
  await clock.advanceByMs(10_000);
  context.publishFault({ ...fault, type: 'clear', timestampMs: clock.now() }); // inside the quiet period
  await clock.advanceByMs(60_000); // the period ends: its state is told once
  for (const message of phone.sent) console.log(`${message.priority}: ${message.title}`);
  console.log(output?.status().message);
  await output?.stop();
}

void main();
// → urgent: Garage BMS: over temperature fault at module 3 sensor 2 raised
// → default: Garage BMS: over temperature fault at module 3 sensor 2 cleared
// → ntfy: 2 message(s) sent
