import {
  CELLS_PER_MODULE,
  MIN_SELF_DISCHARGE_PERCENT_PER_MONTH,
  type PhysicsConstants,
} from './physics-constants';
import { OcvCurve } from './ocv-curve';
import type { SeededRandom } from './prng';

const SECONDS_PER_MONTH = 30 * 24 * 3600;

/** One parallel cell group, as the physics sees it. */
export interface CellState {
  readonly socPercent: number;
  readonly capacityAh: number;
  readonly selfDischargePercentPerMonth: number;
}

export interface ModulePhysicsSnapshot {
  readonly cells: readonly CellState[];
  readonly temperatureC: number;
}

/**
 * The electrochemistry and heat of one module: six cell groups with state of charge, a single
 * thermal node (cells and board share one temperature) cooled by ambient air.
 * Time only moves through {@link advance}; the caller owns the clock.
 */
export class ModulePhysics {
  private readonly socPercent: number[];
  private readonly capacityAh: number[];
  private readonly selfDischargePercentPerMonth: number[];
  private temperatureC: number;

  constructor(
    private readonly constants: PhysicsConstants,
    private readonly curve: OcvCurve,
    random: SeededRandom,
    initialSocPercent: number,
    initialTemperatureC: number,
  ) {
    this.capacityAh = [];
    this.selfDischargePercentPerMonth = [];
    for (let i = 0; i < CELLS_PER_MODULE; i++) {
      this.capacityAh.push(
        constants.nominalCapacityAh *
          Math.max(0.5, 1 + constants.capacitySpreadFraction * random.nextGaussian()),
      );
      this.selfDischargePercentPerMonth.push(
        Math.max(
          MIN_SELF_DISCHARGE_PERCENT_PER_MONTH,
          constants.selfDischargePercentPerMonth +
            constants.selfDischargeSpreadPercentPerMonth * random.nextGaussian(),
        ),
      );
    }
    this.socPercent = new Array<number>(CELLS_PER_MODULE).fill(initialSocPercent);
    this.temperatureC = initialTemperatureC;
  }

  /** Current through the bleed resistor of cell `index` (0-based) when its FET is on, amperes. */
  bleedCurrentA(index: number): number {
    return this.curve.voltageAtSoc(this.socPercent[index]) / this.constants.bleedResistorOhm;
  }

  /**
   * Terminal voltage of cell `index` (0-based): OCV plus the drop over the group resistance for
   * the net current into the cell (pack current minus bleed; charge is positive).
   */
  cellVoltageV(index: number, packCurrentA: number, balancing: boolean): number {
    const currentA = packCurrentA - (balancing ? this.bleedCurrentA(index) : 0);
    return this.curve.voltageAtSoc(this.socPercent[index]) + currentA * this.constants.groupResistanceOhm;
  }

  /** Sets the SoC so that the terminal voltage at this current equals `voltageV`. */
  setCellVoltage(index: number, voltageV: number, packCurrentA: number, balancing: boolean): void {
    // The bleed current depends on the OCV it is solving for; two fixed-point passes are exact
    // to far below one ADC step because the bleed drop is tens of microvolts.
    let ocvV = voltageV - packCurrentA * this.constants.groupResistanceOhm;
    for (let pass = 0; pass < 2 && balancing; pass++) {
      const bleedA = ocvV / this.constants.bleedResistorOhm;
      ocvV = voltageV - (packCurrentA - bleedA) * this.constants.groupResistanceOhm;
    }
    this.socPercent[index] = this.curve.socAtVoltage(ocvV);
  }

  setCellSoc(index: number, socPercent: number): void {
    this.socPercent[index] = this.clampSoc(socPercent);
  }

  cellSocPercent(index: number): number {
    return this.socPercent[index];
  }

  get moduleTemperatureC(): number {
    return this.temperatureC;
  }

  /**
   * Moves the module forward by `dtS` seconds with a constant pack current, the given balance
   * FETs on (bit i = cell i + 1) and ambient temperature.
   */
  advance(dtS: number, packCurrentA: number, balanceMask: number, ambientC: number): void {
    if (dtS <= 0) return;
    const r = this.constants.groupResistanceOhm;
    let heatW = 0;
    for (let i = 0; i < CELLS_PER_MODULE; i++) {
      const bleedA = (balanceMask >> i) & 1 ? this.bleedCurrentA(i) : 0;
      const selfDischargeA =
        (this.capacityAh[i] * this.selfDischargePercentPerMonth[i]) / 100 / (SECONDS_PER_MONTH / 3600);
      const cellCurrentA = packCurrentA - bleedA;
      heatW += cellCurrentA * cellCurrentA * r + bleedA * bleedA * this.constants.bleedResistorOhm;
      const deltaAh = ((cellCurrentA - selfDischargeA) * dtS) / 3600;
      this.socPercent[i] = this.clampSoc(this.socPercent[i] + (100 * deltaAh) / this.capacityAh[i]);
    }
    // Exact solution of C dT/dt = P − (T − Tamb)/R for constant P: stable for any step.
    const tau = this.constants.heatCapacityJPerK * this.constants.thermalResistanceKPerW;
    const steadyC = ambientC + heatW * this.constants.thermalResistanceKPerW;
    this.temperatureC = steadyC + (this.temperatureC - steadyC) * Math.exp(-dtS / tau);
  }

  setTemperatureC(temperatureC: number): void {
    this.temperatureC = temperatureC;
  }

  snapshot(): ModulePhysicsSnapshot {
    return {
      cells: this.socPercent.map((socPercent, i) => ({
        socPercent,
        capacityAh: this.capacityAh[i],
        selfDischargePercentPerMonth: this.selfDischargePercentPerMonth[i],
      })),
      temperatureC: this.temperatureC,
    };
  }

  private clampSoc(socPercent: number): number {
    return Math.min(this.curve.maxSocPercent, Math.max(this.curve.minSocPercent, socPercent));
  }
}
