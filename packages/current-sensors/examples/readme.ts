import { ManualClock } from '@tsbms/hal';
import { MemoryI2cBus } from '@tsbms/hal/testing';
import { Ina226CurrentSource } from '@tsbms/current-sensors';
import { EmulatedIna226 } from '@tsbms/current-sensors/testing';

// On the edge box the bus is hal-linux's `await LinuxI2cBus.open({ busNumber: 1 })` and the clock
// `systemClock`; here an emulated INA226 on an in-memory bus, in virtual time.
const clock = new ManualClock();
const bus = new MemoryI2cBus('/dev/i2c-1');
const chip = bus.attach(0x40, new EmulatedIna226(0.0001));
chip.setCurrent(-42.5); // discharging
chip.setBusVoltage(25.9);

async function main(): Promise<void> {
  // A 500 A / 50 mV shunt is 100 µΩ; IN+ on the charger's side, so charging reads positive.
  const sensor = await Ina226CurrentSource.open({ bus, address: 0x40, shuntOhm: 0.0001, clock });
  sensor.current$.subscribe(({ timeMs, currentA, quality }) =>
    console.log(`${timeMs} ms: ${currentA.toFixed(2)} A (${quality})`),
  );
  sensor.busVoltage$.subscribe(({ voltageV }) => console.log(`bus ${voltageV.toFixed(2)} V`));
  await clock.advanceByMs(200);
  console.log(JSON.stringify(sensor.counters()));
  await sensor.close();
}

void main();
// → 100 ms: -42.50 A (good)
// → bus 25.90 V
// → 200 ms: -42.50 A (good)
// → bus 25.90 V
// → {"samples":2,"dropped":0}
