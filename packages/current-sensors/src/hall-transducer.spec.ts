import fc from 'fast-check';
import { hallCurrentA, hallInputVoltageV, hallVoltsPerAmpere, type HallTransducer } from './hall-transducer';

/** pyBMS's defaults (config.py): current_zero_point 1.6025 V, current_sensor_max 200 A. */
const PYBMS: HallTransducer = { zeroPointV: 1.6025, maxCurrentA: 200, outputZeroV: 5, outputSwingV: 2 };

/** pyBMS's own arithmetic (bms/current_sensor/c2t_transducer.py, read()), unfiltered and not reversed. */
function pyBmsCurrentA(rawVoltage: number, zeroPoint: number, maxCurrent: number): number {
  const ratio = zeroPoint / 5.0;
  const scaledVoltage = rawVoltage / ratio;
  return ((scaledVoltage - 5.0) / 2.0) * maxCurrent;
}

describe('hall transducer through a divider', () => {
  it('reads 0 A at the zero point and ±maxCurrentA where the output has moved by ±outputSwingV', () => {
    expect(hallCurrentA(1.6025, PYBMS)).toBe(0);
    // The divider is 1.6025 / 5: the output's 7 V reach the ADC as 2.2435 V.
    expect(hallCurrentA(2.2435, PYBMS)).toBeCloseTo(200, 9);
    expect(hallCurrentA(0.9615, PYBMS)).toBeCloseTo(-200, 9);
    expect(hallVoltsPerAmpere(PYBMS)).toBeCloseTo(0.003205, 12);
  });
  it('gives pyBMS’s current for any voltage, zero point and maximum, so its numbers carry over', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -2.048, max: 2.048, noNaN: true }),
        fc.double({ min: 0.1, max: 2, noNaN: true }),
        fc.double({ min: 1, max: 2000, noNaN: true }),
        (volts, zeroPointV, maxCurrentA) => {
          const transducer = { ...PYBMS, zeroPointV, maxCurrentA };
          const expected = pyBmsCurrentA(volts, zeroPointV, maxCurrentA);
          expect(hallCurrentA(volts, transducer)).toBeCloseTo(expected, 6);
        },
      ),
    );
  });
  it('turns a current into the voltage that reads as it back', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1000, max: 1000, noNaN: true }),
        fc.double({ min: 0.5, max: 4, noNaN: true }),
        (currentA, outputZeroV) => {
          const transducer = { ...PYBMS, outputZeroV };
          expect(hallCurrentA(hallInputVoltageV(currentA, transducer), transducer)).toBeCloseTo(currentA, 6);
        },
      ),
    );
  });
});
