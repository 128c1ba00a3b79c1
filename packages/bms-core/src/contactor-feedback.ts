import type { RelayOutputs } from '@tsbms/control';
import type { DigitalInput } from '@tsbms/hal';

/**
 * The contactors' auxiliary (feedback) contacts, each optional (bms-behaviour.md B-14): read at
 * every scan and compared with the command in force (contactorMismatch, contactorWelded).
 * `read()` true = the contactor is closed; an absent one = that contactor has no feedback.
 */
export interface ContactorFeedback {
  readonly contactorNegative?: DigitalInput;
  readonly contactorPrecharge?: DigitalInput;
  readonly contactorPositive?: DigitalInput;
}

/** Each feedback input's contactor, as the sequencer names its relays. */
export const FEEDBACK_RELAYS: Readonly<Record<keyof ContactorFeedback, keyof RelayOutputs>> = Object.freeze({
  contactorNegative: 'negative',
  contactorPrecharge: 'precharge',
  contactorPositive: 'positive',
});

/** Reads every fitted input once: closed or not, by relay; a failed read throws the input's error. */
export function readContactorFeedback(
  feedback: ContactorFeedback,
): Partial<Record<keyof RelayOutputs, boolean>> {
  const closed: Partial<Record<keyof RelayOutputs, boolean>> = {};
  for (const [name, relay] of Object.entries(FEEDBACK_RELAYS) as [
    keyof ContactorFeedback,
    keyof RelayOutputs,
  ][]) {
    const input = feedback[name];
    if (input !== undefined) closed[relay] = input.read();
  }
  return closed;
}
