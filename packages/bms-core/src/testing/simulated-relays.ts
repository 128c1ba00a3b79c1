import { SimulatedDigitalOutput, type Clock } from '@tsbms/hal';

/** Every relay and lamp the core drives, simulated on `clock` (each records its transitions). */
export function simulatedRelays(clock: Clock) {
  return {
    contactorNegative: new SimulatedDigitalOutput('contactorNegative', clock),
    contactorPrecharge: new SimulatedDigitalOutput('contactorPrecharge', clock),
    contactorPositive: new SimulatedDigitalOutput('contactorPositive', clock),
    heater: new SimulatedDigitalOutput('heater', clock),
    statusLed: new SimulatedDigitalOutput('statusLed', clock),
  };
}
