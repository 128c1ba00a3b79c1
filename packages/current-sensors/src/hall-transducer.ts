/**
 * A hall-effect current transducer read through a divider, as pyBMS models its C2T transducer
 * (bjpirt/pyBMS, bms/current_sensor/c2t_transducer.py): the transducer's output is `outputZeroV` at
 * no current and moves by `outputSwingV` at `maxCurrentA`, positive one way, negative the other. The
 * divider is not described by its resistors but by `zeroPointV`, what the ADC reads at no current:
 * its ratio is `zeroPointV / outputZeroV`, so measuring the zero point also calibrates out the
 * resistors' tolerance and the transducer's zero offset.
 */
export interface HallTransducer {
  /** The ADC's input at no current, in volts (pyBMS `current_zero_point`). */
  readonly zeroPointV: number;
  /** The current at which the output has moved by `outputSwingV` (pyBMS `current_sensor_max`). */
  readonly maxCurrentA: number;
  /** The transducer's own output at no current (pyBMS: 5.0 V, fixed). */
  readonly outputZeroV: number;
  /** The output's change at `maxCurrentA` (pyBMS: 2.0 V, fixed). */
  readonly outputSwingV: number;
}

/** Volts per ampere at the ADC's input, the divider included. */
export function hallVoltsPerAmpere(transducer: HallTransducer): number {
  const dividerRatio = transducer.zeroPointV / transducer.outputZeroV;
  return (transducer.outputSwingV * dividerRatio) / transducer.maxCurrentA;
}

/** The current for a voltage at the ADC's input. */
export function hallCurrentA(inputV: number, transducer: HallTransducer): number {
  return (inputV - transducer.zeroPointV) / hallVoltsPerAmpere(transducer);
}

/** The voltage at the ADC's input for a current (for an emulated sensor). */
export function hallInputVoltageV(currentA: number, transducer: HallTransducer): number {
  return transducer.zeroPointV + currentA * hallVoltsPerAmpere(transducer);
}
