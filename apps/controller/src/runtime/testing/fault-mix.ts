import type { FaultSpec } from '@tsbms/module-emulator';

/** The settings an episode's deadline follows. */
export interface FaultMixTiming {
  readonly pollIntervalS: number;
  readonly commsTimeoutS: number;
  readonly overVoltageDelayS: number;
}

/** Emulator faults switched on together, and what the BMS must do about them. */
export interface FaultEpisode {
  readonly name: string;
  readonly faults: readonly FaultSpec[];
  /**
   * A fault-level condition: the contactors must be open within this many seconds of its start
   * (the fault's delay plus three scans, for the scan that sees it and the retries of a bad
   * one). Null for line noise, which the scan loop's retries may well absorb.
   */
  readonly opensWithinS: number | null;
}

/**
 * The adversarial campaign's kinds of trouble on a 2-module loop (module 2 closes the loop to the
 * host), as the emulator injects them: a module's replies with flipped bits, bits flipped and bytes
 * dropped on the way back, garbage toward the modules, a hung module, a power cycle, both
 * thermistors of a module open, a cell reading over the fault level.
 */
export function faultMix(timing: FaultMixTiming): readonly FaultEpisode[] {
  const scansS = 3 * timing.pollIntervalS;
  return [
    {
      name: 'bit flips in module 1’s replies',
      faults: [{ kind: 'corruptReplies', module: 1, probability: 0.01 }],
      opensWithinS: null,
    },
    {
      name: 'bit flips toward the host',
      faults: [{ kind: 'flipBits', direction: 'toHost', probability: 0.002 }],
      opensWithinS: null,
    },
    {
      name: 'dropped bytes toward the host',
      faults: [{ kind: 'dropBytes', direction: 'toHost', probability: 0.002 }],
      opensWithinS: null,
    },
    {
      name: 'garbage toward the modules',
      faults: [{ kind: 'garbageBurst', direction: 'toModules', lengthBytes: 16, intervalMs: 5_000 }],
      opensWithinS: null,
    },
    {
      name: 'module 2 silent',
      faults: [{ kind: 'silent', module: 2 }],
      opensWithinS: timing.commsTimeoutS + scansS,
    },
    {
      name: 'module 2 power-cycled',
      faults: [{ kind: 'powerCycle', module: 2 }],
      opensWithinS: timing.commsTimeoutS + scansS,
    },
    {
      name: 'both thermistors of module 1 open',
      faults: [
        { kind: 'openThermistor', module: 1, thermistor: 1 },
        { kind: 'openThermistor', module: 1, thermistor: 2 },
      ],
      opensWithinS: scansS,
    },
    {
      name: 'module 2 cell 3 reading 4.17 V (over the 4.15 V fault level)',
      faults: [{ kind: 'stuckCell', module: 2, cell: 3, voltageV: 4.17 }],
      opensWithinS: timing.overVoltageDelayS + scansS,
    },
  ];
}
