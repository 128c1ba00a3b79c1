import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ManualClock, type Clock } from '@tsbms/hal';
import { EmulatedChain, type EmulatedChainOptions } from '@tsbms/module-emulator';
import type { Subscription } from 'rxjs';
import {
  applyEmulatorCommand,
  describeZodError,
  emulatorCommandSchema,
  type EmulatorCommand,
} from './commands';

/** One timed change: `atS` seconds after the scenario starts. */
export type ScenarioStep = EmulatorCommand & { readonly atS: number };

export interface Scenario {
  readonly name?: string;
  readonly steps: readonly ScenarioStep[];
}

const scenarioSchema = z.strictObject({
  name: z.string().optional(),
  steps: z.array(z.intersection(z.object({ atS: z.number().min(0) }), emulatorCommandSchema)).min(1),
});

export class ScenarioError extends Error {
  readonly code = 'BAD_SCENARIO';
  constructor(
    readonly source: string,
    message: string,
  ) {
    super(`${source}: ${message}`);
    this.name = 'ScenarioError';
  }
}

/**
 * Parses a scenario (YAML, or JSON, which YAML includes) and proves every step applicable by
 * playing it on a scratch chain with the same options, in order, so a bad value or a stopFault
 * without its startFault is reported at load time, with the step number, not minutes later.
 */
export function loadScenario(
  text: string,
  source: string,
  chainOptions: Omit<EmulatedChainOptions, 'clock'>,
): Scenario {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new ScenarioError(source, `not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  const parsed = scenarioSchema.safeParse(document);
  if (!parsed.success) throw new ScenarioError(source, describeZodError(parsed.error));
  const steps = [...parsed.data.steps].sort((a, b) => a.atS - b.atS) as ScenarioStep[];

  const scratch = new EmulatedChain({ ...chainOptions, clock: new ManualClock() });
  try {
    steps.forEach((step) => {
      try {
        applyEmulatorCommand(scratch, step);
      } catch (error) {
        throw new ScenarioError(
          source,
          `step at ${step.atS} s (${step.action}): ${(error as Error).message}`,
        );
      }
    });
  } finally {
    void scratch.close();
  }
  return { name: parsed.data.name, steps };
}

export interface ScenarioLog {
  info(message: string): void;
  error(message: string): void;
}

/** Schedules every step on the clock, relative to now. Unsubscribe to cancel what has not run. */
export function playScenario(
  chain: EmulatedChain,
  scenario: Scenario,
  clock: Clock,
  log: ScenarioLog,
): Subscription[] {
  return scenario.steps.map((step) =>
    clock.schedule(() => {
      try {
        const key = applyEmulatorCommand(chain, step);
        log.info(`scenario: ${step.action} at ${step.atS} s${key ? ` (fault ${key})` : ''}`);
      } catch (error) {
        log.error(`scenario: ${step.action} at ${step.atS} s failed: ${(error as Error).message}`);
      }
    }, step.atS * 1000),
  );
}
