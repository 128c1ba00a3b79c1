import { EmulatorError, requireNumberInRange } from './errors';
import { CELLS_PER_MODULE, THERMISTORS_PER_MODULE } from './physics-constants';

/** Which way along the loop a line fault acts: host → module 1, or module N → host. */
export type LineDirection = 'toModules' | 'toHost';

/**
 * A fault that can be switched on and off while the chain runs. Modules, cells and thermistors
 * are numbered from 1 in chain order, like the datasheet's cells 1..6 and TS1/TS2.
 */
export type FaultSpec =
  /** Each byte on the line is lost with `probability`; stops by itself after `limit` bytes. */
  | {
      readonly kind: 'dropBytes';
      readonly direction: LineDirection;
      readonly probability: number;
      readonly limit?: number;
    }
  /** Each byte gets one random bit flipped with `probability` (breaks its frame's CRC). */
  | {
      readonly kind: 'flipBits';
      readonly direction: LineDirection;
      readonly probability: number;
      readonly limit?: number;
    }
  /** Every `intervalMs`, `lengthBytes` random bytes appear on the line. */
  | {
      readonly kind: 'garbageBurst';
      readonly direction: LineDirection;
      readonly lengthBytes: number;
      readonly intervalMs: number;
    }
  /** The module's MCU hangs: it neither answers nor forwards, so the loop is broken; state is kept. */
  | { readonly kind: 'silent'; readonly module: number }
  /** The module loses power (loop broken); on stop it powers up: address 0, POR, shadows from OTP. */
  | { readonly kind: 'powerCycle'; readonly module: number }
  /** The cell's reading stays at `voltageV` (default: the value when the fault starts). */
  | { readonly kind: 'stuckCell'; readonly module: number; readonly cell: number; readonly voltageV?: number }
  /** The cell's reading drifts away from the truth by `voltsPerHour` (signed). */
  | {
      readonly kind: 'cellDrift';
      readonly module: number;
      readonly cell: number;
      readonly voltsPerHour: number;
    }
  /** The thermistor is open: the ADC reads 0 (about −100 °C). */
  | { readonly kind: 'openThermistor'; readonly module: number; readonly thermistor: number }
  /** The thermistor is shorted: the ADC reads full scale. */
  | { readonly kind: 'shortedThermistor'; readonly module: number; readonly thermistor: number }
  /** The VBAT sense wire is broken: GPAI reads `gpaiV` (default 0 V) instead of the cell sum. */
  | { readonly kind: 'brokenSenseWire'; readonly module: number; readonly gpaiV?: number }
  /** The module answers `extraMs` later than usual. */
  | { readonly kind: 'replyLatency'; readonly module: number; readonly extraMs: number }
  /**
   * The board implements the register map only up to RESET (0x3C), as simple module emulators do
   * (issue 16). In the datasheet everything a reading and balancing need lies there: results
   * 0x00..0x12, status 0x20..0x25, control 0x30..0x3C. Above it are only the test and OTP
   * controls (TEST_SELECT 0x3D, E_EN 0x3F) and the protected configuration 0x40..0x4F, the OTP
   * values' volatile shadows behind the SHDW_CTRL unlock, which a host needs only to program the
   * chip's own protection thresholds (T-18). A read or write addressed to the module touching any
   * register above 0x3C is consumed without a reply, so the host sees a silent loop for exactly
   * those requests; a broadcast touching them passes by unexecuted.
   */
  | { readonly kind: 'noProtectedRegisters'; readonly module: number }
  /**
   * Each byte of a reply this module originates gets one random bit flipped with `probability`
   * (the host sees a bad CRC or a bad frame), so the errors belong to one module, unlike
   * `flipBits` on the whole line; stops by itself after `limit` flipped bytes.
   */
  | {
      readonly kind: 'corruptReplies';
      readonly module: number;
      readonly probability: number;
      readonly limit?: number;
    };

export type FaultKind = FaultSpec['kind'];

export const FAULT_KINDS: readonly FaultKind[] = Object.freeze([
  'dropBytes',
  'flipBits',
  'garbageBurst',
  'silent',
  'powerCycle',
  'stuckCell',
  'cellDrift',
  'openThermistor',
  'shortedThermistor',
  'brokenSenseWire',
  'replyLatency',
  'noProtectedRegisters',
  'corruptReplies',
]);

/**
 * The identity of a fault: starting a fault with the same key replaces it, stopping by key
 * ends it. E.g. `dropBytes:toHost`, `stuckCell:2:3`, `openThermistor:1:2`.
 */
export function faultKey(spec: FaultSpec): string {
  switch (spec.kind) {
    case 'dropBytes':
    case 'flipBits':
    case 'garbageBurst':
      return `${spec.kind}:${spec.direction}`;
    case 'stuckCell':
    case 'cellDrift':
      return `${spec.kind}:${spec.module}:${spec.cell}`;
    case 'openThermistor':
    case 'shortedThermistor':
      return `${spec.kind}:${spec.module}:${spec.thermistor}`;
    default:
      return `${spec.kind}:${spec.module}`;
  }
}

/**
 * Checks untrusted input (e.g. JSON from a control API) and returns a typed fault, or throws an
 * {@link EmulatorError} naming the first problem.
 */
export function parseFaultSpec(input: unknown, moduleCount: number): FaultSpec {
  if (typeof input !== 'object' || input === null) {
    throw new EmulatorError('UNKNOWN_FAULT', 'a fault must be an object with a "kind"', { value: input });
  }
  const o = input as Record<string, unknown>;
  const kind = o['kind'];
  if (typeof kind !== 'string' || !(FAULT_KINDS as readonly string[]).includes(kind)) {
    throw new EmulatorError(
      'UNKNOWN_FAULT',
      `unknown fault kind ${JSON.stringify(kind)}; known: ${FAULT_KINDS.join(', ')}`,
      {
        field: 'kind',
        value: kind,
      },
    );
  }
  const direction = (): LineDirection => {
    const d = o['direction'];
    if (d !== 'toModules' && d !== 'toHost') {
      throw new EmulatorError('VALUE_OUT_OF_RANGE', 'direction must be "toModules" or "toHost"', {
        field: 'direction',
        value: d,
      });
    }
    return d;
  };
  const optionalLimit = (): { limit?: number } =>
    o['limit'] === undefined
      ? {}
      : { limit: Math.floor(requireNumberInRange(o['limit'], 'limit', 1, Number.MAX_SAFE_INTEGER)) };
  const module = (): number => requireModule(o['module'], moduleCount);
  const cell = (m: number): number =>
    requireIndex(o['cell'], 'cell', CELLS_PER_MODULE, 'CELL_OUT_OF_RANGE', m);
  const thermistor = (m: number): number =>
    requireIndex(o['thermistor'], 'thermistor', THERMISTORS_PER_MODULE, 'THERMISTOR_OUT_OF_RANGE', m);

  switch (kind as FaultKind) {
    case 'dropBytes':
    case 'flipBits':
      return {
        kind: kind as 'dropBytes' | 'flipBits',
        direction: direction(),
        probability: requireNumberInRange(o['probability'], 'probability', 0, 1),
        ...optionalLimit(),
      };
    case 'garbageBurst':
      return {
        kind: 'garbageBurst',
        direction: direction(),
        lengthBytes: Math.floor(requireNumberInRange(o['lengthBytes'], 'lengthBytes', 1, 4096)),
        intervalMs: requireNumberInRange(o['intervalMs'], 'intervalMs', 1, 86_400_000),
      };
    case 'silent':
    case 'powerCycle':
    case 'noProtectedRegisters':
      return { kind: kind as 'silent' | 'powerCycle' | 'noProtectedRegisters', module: module() };
    case 'corruptReplies':
      return {
        kind: 'corruptReplies',
        module: module(),
        probability: requireNumberInRange(o['probability'], 'probability', 0, 1),
        ...optionalLimit(),
      };
    case 'stuckCell': {
      const m = module();
      const c = cell(m);
      return o['voltageV'] === undefined
        ? { kind: 'stuckCell', module: m, cell: c }
        : {
            kind: 'stuckCell',
            module: m,
            cell: c,
            voltageV: requireNumberInRange(o['voltageV'], 'voltageV', 0, 6.25, { module: m, cell: c }),
          };
    }
    case 'cellDrift': {
      const m = module();
      const c = cell(m);
      return {
        kind: 'cellDrift',
        module: m,
        cell: c,
        voltsPerHour: requireNumberInRange(o['voltsPerHour'], 'voltsPerHour', -10, 10),
      };
    }
    case 'openThermistor':
    case 'shortedThermistor': {
      const m = module();
      return { kind: kind as 'openThermistor' | 'shortedThermistor', module: m, thermistor: thermistor(m) };
    }
    case 'brokenSenseWire': {
      const m = module();
      return o['gpaiV'] === undefined
        ? { kind: 'brokenSenseWire', module: m }
        : {
            kind: 'brokenSenseWire',
            module: m,
            gpaiV: requireNumberInRange(o['gpaiV'], 'gpaiV', 0, 33.333, { module: m }),
          };
    }
    case 'replyLatency':
      return {
        kind: 'replyLatency',
        module: module(),
        extraMs: requireNumberInRange(o['extraMs'], 'extraMs', 0, 60_000),
      };
  }
}

/** Throws NOT_A_NUMBER or UNKNOWN_MODULE unless `value` is a module number 1..count. */
export function requireModule(value: unknown, moduleCount: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new EmulatorError('NOT_A_NUMBER', 'module must be a number', { field: 'module', value });
  }
  if (!Number.isInteger(value) || value < 1 || value > moduleCount) {
    throw new EmulatorError('UNKNOWN_MODULE', `no module ${value}: modules are 1..${moduleCount}`, {
      module: value,
      min: 1,
      max: moduleCount,
    });
  }
  return value;
}

/** Throws NOT_A_NUMBER or `code` unless `value` is an index 1..count. */
export function requireIndex(
  value: unknown,
  field: 'cell' | 'thermistor',
  count: number,
  code: 'CELL_OUT_OF_RANGE' | 'THERMISTOR_OUT_OF_RANGE',
  module: number,
): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new EmulatorError('NOT_A_NUMBER', `${field} must be a number`, { module, field, value });
  }
  if (!Number.isInteger(value) || value < 1 || value > count) {
    throw new EmulatorError(code, `no ${field} ${value}: ${field}s are 1..${count}`, {
      module,
      [field]: value,
      min: 1,
      max: count,
    });
  }
  return value;
}
