import { ManualClock } from '@tsbms/hal';
import { FakeOutputContext } from '@tsbms/bms-core/testing';
import { decodeVictronFrame } from '@tsbms/inverter-can';
import { victronCanOutput } from '@tsbms/output-victron';
import { FakeCanBus, packStatus, TWO_BY_TWO_SETTINGS } from '@tsbms/output-victron/testing';

// The application injects the bus (the controller: hal-linux's SocketCanBus) and the firmware version.
let bus: FakeCanBus | undefined;
const startCanOutput = victronCanOutput({
  firmwareVersion: '0.1.0',
  openBus: (settings) => (bus = new FakeCanBus(settings)),
});

// An OutputContext: the `can` section and pack facts as settings, and a valid scan as the status.
const clock = new ManualClock(); // virtual time
const context = new FakeOutputContext({ clock, settings: TWO_BY_TWO_SETTINGS, status: packStatus() });

async function main(): Promise<void> {
  const output = await startCanOutput(context);
  bus?.receive({ id: 0x305, data: new Uint8Array(8) }); // the GX's keep-alive
  await clock.advanceByMs(1000);
  const charge = bus?.sent.map((s) => decodeVictronFrame(s.frame)).find((m) => m.kind === 'chargeLimits');
  console.log(`${bus?.sent.length} frames in the first second`);
  console.log(JSON.stringify(charge));
  console.log(output?.status().message);
  await output?.stop();
}

void main();
// → 17 frames in the first second
// → {"kind":"chargeLimits","chargeVoltageLimitV":49.2,"chargeCurrentLimitA":100,"dischargeCurrentLimitA":100,"dischargeVoltageLimitV":43.2}
// → vcan0: GX seen 1.0 s ago
