import { sleepMs, type Clock, type DigitalOutput } from '@tsbms/hal';
import {
  RELAY_NAMES,
  type FeedbackName,
  type FeedbackReading,
  type RelayCheckObservation,
  type RelayName,
  type RelaysObservation,
} from '@tsbms/commissioning';
import type { ControllerGpio } from '../cli/controller-gpio';

/*
 * `--relays`: each configured output switched on for a moment and off again, one at a time, with
 * a person listening, and the contactors' feedback inputs read before, during and after. Only
 * after the person has typed that the battery is disconnected from the contactors; every output is
 * off again whatever happens (an error, Ctrl-C), before the lines are freed.
 */

/** What the person must type before anything is switched. */
export const DISCONNECTED_ANSWER = 'disconnected';

export interface RelayCheckOptions {
  /** Configured lines by output name (the `gpio.<name>Pin` that are set). */
  readonly lines: Readonly<Partial<Record<RelayName, number>>>;
  /** Claims the lines (openControllerGpio); throws the GPIO error. */
  readonly openGpio: () => ControllerGpio;
  /** Asks the person a question and resolves with the answer (a line typed at the terminal). */
  readonly ask: (question: string) => Promise<string>;
  /** Tells the person what is happening. */
  readonly say: (line: string) => void;
  readonly clock: Clock;
  /** How long each output stays on; contactors close within 50 ms. Default 1000 ms. */
  readonly onMs?: number;
  /** Aborted by Ctrl-C: the check stops, everything off. */
  readonly signal?: AbortSignal;
}

export const DEFAULT_RELAY_ON_MS = 1000;
/** After switching off, before reading the feedback again: a contactor opens within 50 ms. */
const SETTLE_MS = 300;

export async function observeRelays(options: RelayCheckOptions): Promise<RelaysObservation> {
  const fitted = RELAY_NAMES.flatMap((relay) => {
    const line = options.lines[relay];
    return line === undefined ? [] : [{ relay, line }];
  });
  const base = { fitted, feedbackFitted: [], confirmedDisconnected: false, interrupted: false, checks: [] };
  if (fitted.length === 0) return base;
  options.say(
    `--relays switches ${fitted.map((f) => f.relay).join(', ')} on for ${(options.onMs ?? DEFAULT_RELAY_ON_MS) / 1000} s each, one at a time.`,
  );
  options.say(
    'The battery must be DISCONNECTED from the contactors (no pack voltage across them, the inverter off).',
  );
  const answer = await options.ask(`Type "${DISCONNECTED_ANSWER}" when it is, anything else to skip: `);
  if (answer.trim().toLowerCase() !== DISCONNECTED_ANSWER) return base;

  let gpio: ControllerGpio;
  try {
    gpio = options.openGpio();
  } catch (error) {
    return { ...base, confirmedDisconnected: true, error: (error as Error).message.split('\n')[0] };
  }
  const feedbackFitted = (Object.keys(gpio.contactorFeedback) as FeedbackName[]).filter(
    (name) => gpio.contactorFeedback[name] !== undefined,
  );
  const readFeedback = (): FeedbackReading =>
    Object.fromEntries(feedbackFitted.map((name) => [name, gpio.contactorFeedback[name]?.read() === true]));
  const allOff = () => {
    for (const output of Object.values(gpio.relays) as (DigitalOutput | undefined)[]) output?.set(false);
  };
  const checks: RelayCheckObservation[] = [];
  const result = (extra: Partial<RelaysObservation>): RelaysObservation => ({
    ...base,
    confirmedDisconnected: true,
    feedbackFitted,
    checks,
    ...extra,
  });
  try {
    for (const { relay, line } of fitted) {
      if (options.signal?.aborted) return result({ interrupted: true });
      const output = (gpio.relays as Partial<Record<RelayName, DigitalOutput>>)[relay];
      if (output === undefined) continue;
      const feedbackBefore = readFeedback();
      options.say(`${relay} (line ${line}) on …`);
      output.set(true);
      await sleepMs(options.clock, options.onMs ?? DEFAULT_RELAY_ON_MS);
      const feedbackEnergised = readFeedback();
      output.set(false);
      await sleepMs(options.clock, SETTLE_MS);
      const feedbackAfter = readFeedback();
      if (options.signal?.aborted) return result({ interrupted: true });
      const lamp = relay === 'statusLed';
      const reply = await options.ask(`Did ${relay} ${lamp ? 'light up' : 'click (on and off)'}? [y/n] `);
      const confirmed = /^y(es)?$/i.test(reply.trim()) ? true : /^no?$/i.test(reply.trim()) ? false : null;
      checks.push({ relay, line, feedbackBefore, feedbackEnergised, feedbackAfter, confirmed });
    }
    return result({});
  } catch (error) {
    // Ctrl-C during a question rejects it: that is a stop, not a GPIO failure.
    if (options.signal?.aborted) return result({ interrupted: true });
    return result({ error: (error as Error).message.split('\n')[0] });
  } finally {
    try {
      allOff();
    } finally {
      gpio.release();
    }
  }
}
