import type { ContactorSequenceStatus } from '@tsbms/control';
import type { DigitalOutput, Logger } from '@tsbms/hal';

/** The relays and lamps the core drives; an absent one (no pin configured) is simply left out. */
export interface BmsRelays {
  readonly contactorNegative?: DigitalOutput;
  readonly contactorPrecharge?: DigitalOutput;
  readonly contactorPositive?: DigitalOutput;
  readonly heater?: DigitalOutput;
  /** Lit while the BMS runs with every module found and no fault-level condition. */
  readonly statusLed?: DigitalOutput;
}

/** Sets the contactor relays to the sequencer's state: openings first, then closings, so no transient state is more closed than either end. */
export function applyContactorRelays(relays: BmsRelays, status: ContactorSequenceStatus): void {
  const lines: [DigitalOutput | undefined, boolean][] = [
    [relays.contactorPositive, status.relays.positive],
    [relays.contactorPrecharge, status.relays.precharge],
    [relays.contactorNegative, status.relays.negative],
  ];
  for (const [output, on] of lines) if (!on) output?.set(false);
  for (const [output, on] of [...lines].reverse()) if (on) output?.set(true);
}

/** Every relay and lamp off, each tried even when another throws (a failing line is logged). */
export function switchAllRelaysOff(relays: BmsRelays, logger: Logger): void {
  for (const output of [
    relays.contactorPositive,
    relays.contactorPrecharge,
    relays.contactorNegative,
    relays.heater,
    relays.statusLed,
  ]) {
    try {
      output?.set(false);
    } catch (error) {
      logger.error(
        { event: 'output', output: output?.name, error: String(error) },
        `output ${output?.name} could not be switched off`,
      );
    }
  }
}
