import { classifyRaw, type MeasuredValue, UNKNOWN_VALUE, updateMeasured } from './measured-value';
import {
  CELLS_PER_MODULE,
  type ImplausibleValue,
  type ModuleHardwareFlag,
  type ModuleReading,
  TEMPERATURES_PER_MODULE,
} from '@tsbms/pack-reading';

/** A module snapshot: 6 cells, 2 thermistors, the GPAI voltage and the chip's status. */
export interface ModuleState {
  readonly address: number;
  /** Position in the pack: string 0.., module 0.. within the string (address order). */
  readonly stringIndex: number;
  readonly positionInString: number;
  readonly cells: readonly MeasuredValue[];
  readonly temperatures: readonly MeasuredValue[];
  readonly moduleVoltage: MeasuredValue;
  /** A valid reply this scan. */
  readonly commsOk: boolean;
  /** No valid reply this scan: the values are last good values. */
  readonly stale: boolean;
  /** Seconds since the last valid reply; null if never. */
  readonly ageS: number | null;
  readonly lastGoodReadMs: number | null;
  /** Never read, or no valid reply for longer than `commsTimeoutS`: its values are unknown. */
  readonly offline: boolean;
  /** Consecutive scans without / with a valid reply. */
  readonly missedScans: number;
  readonly goodScans: number;
  /** Chip status of the last valid reply. */
  readonly hardwareFlags: readonly ModuleHardwareFlag[];
  readonly overVoltageCells: readonly number[];
  readonly underVoltageCells: readonly number[];
  readonly balanceTimerRunning: boolean;
  /** Values rejected this scan, including NaN and missing ones found by the model. */
  readonly implausible: readonly ImplausibleValue[];
}

export function initialModuleState(
  address: number,
  stringIndex: number,
  positionInString: number,
): ModuleState {
  return Object.freeze({
    address,
    stringIndex,
    positionInString,
    cells: Object.freeze(Array.from({ length: CELLS_PER_MODULE }, () => UNKNOWN_VALUE)),
    temperatures: Object.freeze(Array.from({ length: TEMPERATURES_PER_MODULE }, () => UNKNOWN_VALUE)),
    moduleVoltage: UNKNOWN_VALUE,
    commsOk: false,
    stale: true,
    ageS: null,
    lastGoodReadMs: null,
    offline: true,
    missedScans: 0,
    goodScans: 0,
    hardwareFlags: Object.freeze([]),
    overVoltageCells: Object.freeze([]),
    underVoltageCells: Object.freeze([]),
    balanceTimerRunning: false,
    implausible: Object.freeze([]),
  });
}

function updateValues(
  prev: readonly MeasuredValue[],
  raws: readonly (number | null)[],
  quantity: ImplausibleValue['quantity'],
  reading: ModuleReading,
  nowMs: number,
  timeoutS: number,
  found: ImplausibleValue[],
): readonly MeasuredValue[] {
  return Object.freeze(
    prev.map((p, index) => {
      const flagged = reading.implausible.some((v) => v.quantity === quantity && v.index === index);
      const raw = classifyRaw(raws[index], reading.commsOk, flagged);
      if (raw.kind === 'rejected' && !flagged) {
        found.push({
          quantity,
          index,
          raw: Number.NaN,
          reason: `${quantity} ${index} missing or not a number`,
        });
      }
      return updateMeasured(p, raw, nowMs, timeoutS);
    }),
  );
}

/**
 * Folds one scan's reading (or `undefined` when the reading lacks this module) into the module's state.
 * A reply with NaN or missing values still counts as a reply; those values are marked implausible.
 */
export function updateModuleState(
  prev: ModuleState,
  reading: ModuleReading | undefined,
  nowMs: number,
  timeoutS: number,
): ModuleState {
  const r: ModuleReading = reading ?? {
    address: prev.address,
    commsOk: false,
    cellVoltagesV: [],
    temperaturesC: [],
    moduleVoltageV: null,
    implausible: [],
    hardwareFlags: [],
    overVoltageCells: [],
    underVoltageCells: [],
    balanceTimerRunning: false,
  };
  const found: ImplausibleValue[] = [];
  const cells = updateValues(prev.cells, r.cellVoltagesV, 'cellVoltage', r, nowMs, timeoutS, found);
  const temperatures = updateValues(
    prev.temperatures,
    r.temperaturesC,
    'temperature',
    r,
    nowMs,
    timeoutS,
    found,
  );
  const [moduleVoltage] = updateValues(
    [prev.moduleVoltage],
    [r.moduleVoltageV],
    'moduleVoltage',
    r,
    nowMs,
    timeoutS,
    found,
  );
  const lastGoodReadMs = r.commsOk ? nowMs : prev.lastGoodReadMs;
  const ageS = lastGoodReadMs === null ? null : (nowMs - lastGoodReadMs) / 1000;
  const status = r.commsOk ? r : prev;
  return Object.freeze({
    address: r.address,
    stringIndex: prev.stringIndex,
    positionInString: prev.positionInString,
    cells,
    temperatures,
    moduleVoltage,
    commsOk: r.commsOk,
    stale: !r.commsOk,
    ageS,
    lastGoodReadMs,
    offline: ageS === null || ageS > timeoutS,
    missedScans: r.commsOk ? 0 : prev.missedScans + 1,
    goodScans: r.commsOk ? prev.goodScans + 1 : 0,
    hardwareFlags: Object.freeze([...status.hardwareFlags]),
    overVoltageCells: Object.freeze([...status.overVoltageCells]),
    underVoltageCells: Object.freeze([...status.underVoltageCells]),
    balanceTimerRunning: status.balanceTimerRunning,
    implausible: Object.freeze(r.commsOk ? [...r.implausible, ...found] : []),
  });
}
