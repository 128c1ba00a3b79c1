import { ManualClock } from '@tsbms/hal';
import { GxMqttCurrentSource } from '@tsbms/current-sensors';
import { EmulatedGxMqtt, MemoryMqttBroker } from '@tsbms/current-sensors/testing';

// On the edge box the client is the controller's mqtt.js adapter on the GX's broker (port 1883)
// and the clock `systemClock`; here an emulated GX on an in-memory broker, in virtual time.
const clock = new ManualClock();
const broker = new MemoryMqttBroker();

async function main(): Promise<void> {
  const gx = await EmulatedGxMqtt.start({ client: broker.attach(), clock, portalId: 'c0619ab1c2d3' });
  gx.setBattery(279, { productName: 'SmartShunt 500A/50mV', currentA: -42.5 });
  // The battery tsBMS itself reports to the GX over CAN: its current is our own number.
  gx.setBattery(512, { productName: 'tsBMS', manufacturer: 'tsBMS', currentA: -42.5 });
  const shunt = new GxMqttCurrentSource({ client: broker.attach(), clock, deviceInstance: 279 });
  const own = new GxMqttCurrentSource({ client: broker.attach(), clock, deviceInstance: 512 });
  shunt.current$.subscribe(({ timeMs, currentA }) => console.log(`${timeMs} ms: ${currentA} A`));
  own.current$.subscribe(({ currentA }) => console.log(`never: ${currentA} A`));
  await clock.advanceByMs(1200); // the current is read every second, changed or not
  gx.setCurrent(279, 10.5); // and a change comes at once: the GX is kept alive
  await clock.advanceByMs(300);
  console.log(`battery/279 ${shunt.batteryServiceState()}, battery/512 ${own.batteryServiceState()}`);
  await Promise.all([shunt.close(), own.close()]);
  gx.stop();
}

void main();
// → 0 ms: -42.5 A
// → 1000 ms: -42.5 A
// → 1200 ms: 10.5 A
// → battery/279 accepted, battery/512 own
