import { ManualClock } from '@tsbms/hal';
import { FakeOutputContext } from '@tsbms/bms-core/testing';
import { decodePylontechFrame } from '@tsbms/inverter-can';
import { inverterCanOutput } from '@tsbms/output-inverter-can';
import { FakeCanBus, packStatus, twoByTwoSettings } from '@tsbms/output-inverter-can/testing';

// The application injects the bus (the controller: hal-linux's SocketCanBus) and the firmware version.
let bus: FakeCanBus | undefined;
const startCanOutput = inverterCanOutput({
  firmwareVersion: '0.1.0',
  openBus: (settings) => (bus = new FakeCanBus(settings)),
});

// An OutputContext: the `inverter` section (a Pylontech-speaking inverter on vcan0) and the pack
// facts as settings, and a valid scan as the status.
const clock = new ManualClock(); // virtual time
const settings = twoByTwoSettings({ profile: 'pylontech' });
const context = new FakeOutputContext({ clock, settings, status: packStatus() });

async function main(): Promise<void> {
  const output = await startCanOutput(context);
  bus?.receive({ id: 0x305, data: new Uint8Array(8) }); // the inverter's keep-alive
  await clock.advanceByMs(500);
  const sent = bus?.sent.map((s) => s.frame.id.toString(16)) ?? [];
  const requests = bus?.sent.map((s) => decodePylontechFrame(s.frame)).find((m) => m.kind === 'requestFlags');
  console.log(`${sent.length} frames at t = 0: ${sent.join(' ')}`);
  console.log(JSON.stringify(requests));
  console.log(output?.status().message);
  await output?.stop();
}

void main();
// → 6 frames at t = 0: 359 351 355 356 35c 35e
// → {"kind":"requestFlags","requests":{"chargeEnable":true,"dischargeEnable":true,"forceChargeI":false,"forceChargeII":false,"fullCharge":false}}
// → vcan0: inverter seen 0.5 s ago
