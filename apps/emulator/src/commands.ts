import { z } from 'zod';
import type { EmulatedChain } from '@tsbms/module-emulator';

/**
 * Every change the emulator accepts from outside, whether from the control API or a scenario.
 * Only the shape is checked here; the chain validates values and ranges itself and throws an
 * EmulatorError before changing anything.
 */
export const emulatorCommandSchema = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('setCellVoltage'),
    module: z.number(),
    cell: z.number(),
    voltageV: z.unknown(),
  }),
  z.object({
    action: z.literal('setCellSoc'),
    module: z.number(),
    cell: z.number(),
    socPercent: z.unknown(),
  }),
  z.object({
    action: z.literal('setThermistorTemperature'),
    module: z.number(),
    thermistor: z.number(),
    temperatureC: z.unknown(),
  }),
  z.object({ action: z.literal('setModuleTemperature'), module: z.number(), temperatureC: z.unknown() }),
  z.object({ action: z.literal('setPackCurrent'), currentA: z.unknown() }),
  z.object({ action: z.literal('setAmbientTemperature'), temperatureC: z.unknown() }),
  z.object({ action: z.literal('startFault'), fault: z.unknown() }),
  z.object({ action: z.literal('stopFault'), key: z.string() }),
]);

export type EmulatorCommand = z.infer<typeof emulatorCommandSchema>;

/** Applies one command; returns the fault key for startFault. Throws EmulatorError on bad values. */
export function applyEmulatorCommand(chain: EmulatedChain, command: EmulatorCommand): string | undefined {
  switch (command.action) {
    case 'setCellVoltage':
      chain.setCellVoltage(command.module, command.cell, command.voltageV);
      break;
    case 'setCellSoc':
      chain.setCellSoc(command.module, command.cell, command.socPercent);
      break;
    case 'setThermistorTemperature':
      chain.setThermistorTemperature(command.module, command.thermistor, command.temperatureC);
      break;
    case 'setModuleTemperature':
      chain.setModuleTemperature(command.module, command.temperatureC);
      break;
    case 'setPackCurrent':
      chain.setPackCurrent(command.currentA);
      break;
    case 'setAmbientTemperature':
      chain.setAmbientTemperature(command.temperatureC);
      break;
    case 'startFault':
      return chain.startFault(command.fault);
    case 'stopFault':
      chain.stopFault(command.key);
      break;
  }
  return undefined;
}

/** A zod failure as one line: "steps.2.module: Invalid input: expected number". */
export function describeZodError(error: z.ZodError): string {
  const issue = error.issues[0];
  const where = issue.path.length > 0 ? issue.path.join('.') : '(root)';
  return `${where}: ${issue.message}`;
}
