import { ManualClock } from '@tsbms/hal';
import { MemoryCanBus } from '@tsbms/hal/testing';
import { CanShuntCurrentSource, lemCabProtocol } from '@tsbms/current-sensors';
import { EmulatedLemCab } from '@tsbms/current-sensors/testing';

// On the edge box the bus is hal-linux's SocketCanBus on the shunt's interface (opened), the clock
// `systemClock`, and an IVT-S is `protocol: ivtSProtocol()`; here an emulated LEM CAB500 on an
// in-memory bus, in virtual time.
const clock = new ManualClock();
const canBus = new MemoryCanBus({ clock });
const cab = new EmulatedLemCab({ bus: canBus.attach(), clock, intervalMs: 100 });
cab.setCurrent(-42.5); // discharging

async function main(): Promise<void> {
  const shunt = new CanShuntCurrentSource({ bus: canBus.attach(), clock, protocol: lemCabProtocol() });
  shunt.current$.subscribe(({ timeMs, currentA, quality }) =>
    console.log(`${timeMs} ms: ${currentA.toFixed(3)} A (${quality})`),
  );
  await clock.advanceByMs(200);
  cab.setError(0x43); // fluxgate not oscillating: flagged messages are dropped, never used
  await clock.advanceByMs(200);
  console.log(JSON.stringify(shunt.counters()));
  cab.stop();
  await shunt.close();
}

void main();
// → 100 ms: -42.500 A (good)
// → 200 ms: -42.500 A (good)
// → {"samples":2,"dropped":2}
