import { requireTeslaBus } from './argument-guards';
import type { TeslaBus } from './bus';
import { isTeslaProtocolError, TeslaProtocolError, type TeslaProtocolErrorCode } from './errors';
import {
  ADC_CONTROL_TSBMS,
  AlertStatus,
  CbTime,
  CELL_MASK,
  CONFIG_BLOCK_LENGTH,
  CONFIG_BLOCK_START,
  FaultStatus,
  IO_CONTROL_SLEEP,
  IO_CONTROL_TSBMS,
  isProtectedRegister,
  Register,
  registerName,
  STATUS_BLOCK_LENGTH,
  STATUS_BLOCK_START,
} from './registers';
import { decodeStatusRegisters, type ModuleStatusRegisters } from './status-flags';
import {
  decodeCovThreshold,
  encodeCovThreshold,
  encodeCuvThreshold,
  encodeOtDelayMs,
  encodeOtThresholds,
  encodeProtectionDelayMs,
} from './thresholds';

/** Hardware protection levels written to 0x42..0x47 of every module (T-18). */
export interface HardwareThresholds {
  readonly covV: number;
  readonly cuvV: number;
  /** Both OT1 and OT2. */
  readonly otC: number;
  readonly covDelayMs: number;
  readonly cuvDelayMs: number;
  readonly otDelayMs: number;
}

/** Highest hardware COV tsBMS accepts (T-18). */
export const MAX_HARDWARE_COV_V = 4.25;
/** Hardware offsets of T-18: the chip trips just outside the software fault levels. */
export const HARDWARE_VOLTAGE_OFFSET_V = 0.05;
export const HARDWARE_TEMPERATURE_OFFSET_C = 5;

/**
 * T-18: hardware thresholds from the software fault levels (COV = level + 50 mV, CUV = level − 50 mV,
 * OT = level + 5 °C on both channels, 1 s voltage delays, 2.55 s OT delay).
 */
export function hardwareThresholdsFromFaultLevels(levels: {
  readonly cellOverVoltageFaultV: number;
  readonly cellUnderVoltageFaultV: number;
  readonly overTemperatureFaultC: number;
}): HardwareThresholds {
  return Object.freeze({
    covV: levels.cellOverVoltageFaultV + HARDWARE_VOLTAGE_OFFSET_V,
    cuvV: levels.cellUnderVoltageFaultV - HARDWARE_VOLTAGE_OFFSET_V,
    otC: levels.overTemperatureFaultC + HARDWARE_TEMPERATURE_OFFSET_C,
    covDelayMs: 1000,
    cuvDelayMs: 1000,
    otDelayMs: 2550,
  });
}

/**
 * Register bytes for 0x42..0x47 (COV, COVT, UV, UVT, OT, OTT). Throws INVALID_CONFIG, with the
 * config path, for anything the registers cannot hold and for a COV above 4.25 V once rounded.
 */
export function encodeHardwareThresholds(
  thresholds: HardwareThresholds,
  configPath = 'hardwareThresholds',
): readonly number[] {
  const cov = encodeCovThreshold(thresholds.covV, `${configPath}.covV`);
  const covV = decodeCovThreshold(cov) as number;
  if (covV > MAX_HARDWARE_COV_V) {
    throw new TeslaProtocolError(
      'INVALID_CONFIG',
      `hardware COV ${covV} V is above ${MAX_HARDWARE_COV_V} V`,
      {
        configPath: `${configPath}.covV`,
      },
    );
  }
  const cuv = encodeCuvThreshold(thresholds.cuvV, `${configPath}.cuvV`);
  if (thresholds.cuvV >= thresholds.covV) {
    throw new TeslaProtocolError(
      'INVALID_CONFIG',
      `hardware CUV ${thresholds.cuvV} V is not below COV ${thresholds.covV} V`,
      {
        configPath: `${configPath}.cuvV`,
      },
    );
  }
  return Object.freeze([
    cov,
    encodeProtectionDelayMs(thresholds.covDelayMs, `${configPath}.covDelayMs`),
    cuv,
    encodeProtectionDelayMs(thresholds.cuvDelayMs, `${configPath}.cuvDelayMs`),
    encodeOtThresholds(thresholds.otC, `${configPath}.otC`),
    encodeOtDelayMs(thresholds.otDelayMs, `${configPath}.otDelayMs`),
  ]);
}

/** CB_TIME in seconds (b7 = 0) or minutes (b7 = 1), 0..63 units. */
export function encodeCbTime(duration: { readonly seconds: number } | { readonly minutes: number }): number {
  const minutes = 'minutes' in duration;
  const units = minutes ? duration.minutes : duration.seconds;
  if (!Number.isInteger(units) || units < 0 || units > CbTime.VALUE_MASK) {
    throw new TeslaProtocolError(
      'INVALID_CONFIG',
      `CB_TIME ${units} ${minutes ? 'min' : 's'} is outside 0..63`,
      { configPath: 'cbTime' },
    );
  }
  return (minutes ? CbTime.MINUTES : 0) | units;
}

/** Balance timer length in seconds encoded by a CB_TIME byte. */
export function decodeCbTimeS(byte: number): number {
  return (byte & CbTime.VALUE_MASK) * (byte & CbTime.MINUTES ? 60 : 1);
}

/** T-23: seconds = clamp(ceil(4 × poll interval), 2, 63), so a dead host stops balancing within a few polls. */
export function cbTimeForPollInterval(pollIntervalS: number): number {
  if (!(pollIntervalS > 0)) {
    throw new TeslaProtocolError('INVALID_CONFIG', `poll interval ${pollIntervalS} s must be positive`, {
      configPath: 'pollIntervalS',
    });
  }
  return encodeCbTime({
    seconds: Math.min(63, Math.max(2, Math.ceil(4 * pollIntervalS - 1e-9))),
  });
}

/** T-5 classes that mean the module gave no reply at all: silence, or the request back unchanged. */
const UNANSWERED: readonly TeslaProtocolErrorCode[] = ['TIMEOUT', 'NO_SUCH_MODULE'];

export interface ConfigReadBack {
  /** 0x40..0x47 as read from the module after the writes. */
  readonly registers: readonly number[];
}

/**
 * Module commands on a {@link TeslaBus}: setup (T-17/T-18), latched-bit clearing (T-25), the
 * periodic broadcasts, balancing (T-22/T-23), and sleep/wake (T-28).
 */
export class ModuleCommands {
  constructor(private readonly bus: TeslaBus) {
    requireTeslaBus(bus, 'bus');
  }

  /** ALERT_STATUS, FAULT_STATUS, COV_FAULT, CUV_FAULT of one module. */
  async readStatusRegisters(address: number): Promise<ModuleStatusRegisters> {
    return decodeStatusRegisters(
      await this.bus.readRegisters(address, STATUS_BLOCK_START, STATUS_BLOCK_LENGTH),
    );
  }

  /**
   * T-25: clears the latched ALERT/FAULT bits read as set by writing those bits, then 0x00 —
   * never FORCE, which would force the fault outputs. Returns what was read before clearing.
   */
  async clearLatchedStatus(address: number): Promise<ModuleStatusRegisters> {
    const status = await this.readStatusRegisters(address);
    await this.pulseClear(address, Register.ALERT_STATUS, status.alertStatus & ~AlertStatus.FORCE);
    await this.pulseClear(address, Register.FAULT_STATUS, status.faultStatus & ~FaultStatus.FORCE);
    return status;
  }

  /**
   * Writes the hardware thresholds to one module (each write preceded by its SHDW_CTRL unlock
   * inside the bus, T-9), then reads back 0x40..0x47 and compares: VERIFY_FAILED on a difference,
   * PROTECTED_REGISTERS_UNANSWERED when the module answers but not at those registers.
   */
  async writeHardwareThresholds(address: number, thresholds: HardwareThresholds): Promise<ConfigReadBack> {
    const bytes = encodeHardwareThresholds(thresholds);
    let readBack: readonly number[];
    try {
      for (let i = 0; i < bytes.length; i++)
        await this.bus.writeRegister(address, Register.CONFIG_COV + i, bytes[i]);
      readBack = await this.bus.readRegisters(address, CONFIG_BLOCK_START, CONFIG_BLOCK_LENGTH);
    } catch (error) {
      throw await this.unansweredProtectedRegisters(address, error);
    }
    const offset = Register.CONFIG_COV - CONFIG_BLOCK_START;
    bytes.forEach((expected, i) => {
      const actual = readBack[offset + i];
      if (actual !== expected) {
        throw new TeslaProtocolError(
          'VERIFY_FAILED',
          `read back 0x${actual.toString(16)} after writing 0x${expected.toString(16)}`,
          { address, register: Register.CONFIG_COV + i },
        );
      }
    });
    return Object.freeze({ registers: Object.freeze([...readBack]) });
  }

  /** T-17 for one module: clear latched bits, write thresholds, verify. */
  async setupModule(address: number, thresholds: HardwareThresholds): Promise<ConfigReadBack> {
    await this.clearLatchedStatus(address);
    return this.writeHardwareThresholds(address, thresholds);
  }

  /** T-17 for the pack: every module, then the broadcasts and balancing off. Validates before writing. */
  async setupPack(
    addresses: readonly number[],
    thresholds: HardwareThresholds,
    cbTime: number,
  ): Promise<void> {
    encodeHardwareThresholds(thresholds);
    for (const address of addresses) await this.setupModule(address, thresholds);
    await this.broadcastControl(cbTime);
    await this.stopBalancing();
  }

  /** ADC_CONTROL = 0x3D, IO_CONTROL = 0x03, CB_TIME: the broadcasts re-sent every 60 s (T-17). */
  async broadcastControl(cbTime: number): Promise<void> {
    await this.enableConversions();
    await this.bus.broadcastRegister(Register.CB_TIME, cbTime);
  }

  /**
   * ADC_CONTROL = 0x3D (six cells, GPAI, TS1, TS2 converted) and IO_CONTROL = 0x03 (both
   * thermistors biased, awake): all a conversion needs beyond the reset values (§4), which
   * convert cell 1 alone and read unbiased thermistors as 0.
   */
  async enableConversions(): Promise<void> {
    await this.bus.broadcastRegister(Register.ADC_CONTROL, ADC_CONTROL_TSBMS);
    await this.bus.broadcastRegister(Register.IO_CONTROL, IO_CONTROL_TSBMS);
  }

  /** Switches the bleed FETs of one module: bit i = cell i + 1. */
  async setBalanceMask(address: number, mask: number): Promise<void> {
    if (!Number.isInteger(mask) || mask < 0 || mask > CELL_MASK) {
      throw new TeslaProtocolError(
        'INVALID_REQUEST',
        `balance mask 0x${mask.toString(16)} is outside 0x00..0x3f`,
        {
          address,
          register: Register.CB_CTRL,
        },
      );
    }
    await this.bus.writeRegister(address, Register.CB_CTRL, mask);
  }

  /** Broadcast CB_CTRL = 0: every bleed FET off. */
  async stopBalancing(): Promise<void> {
    await this.bus.broadcastRegister(Register.CB_CTRL, 0);
  }

  /**
   * Storage mode (T-28, §10): IO_CONTROL = 0x04 on every module, then clear ALERT[SLEEP] so the
   * ALERT chain does not draw current. The chip's COV/CUV/OT comparators are OFF while asleep.
   */
  async sleep(addresses: readonly number[]): Promise<void> {
    await this.bus.broadcastRegister(Register.IO_CONTROL, IO_CONTROL_SLEEP);
    for (const address of addresses) await this.pulseClear(address, Register.ALERT_STATUS, AlertStatus.SLEEP);
  }

  /** Wake (T-28): IO_CONTROL = 0x03, clear ALERT[SLEEP], then full setup. */
  async wake(addresses: readonly number[], thresholds: HardwareThresholds, cbTime: number): Promise<void> {
    await this.bus.broadcastRegister(Register.IO_CONTROL, IO_CONTROL_TSBMS);
    for (const address of addresses) await this.pulseClear(address, Register.ALERT_STATUS, AlertStatus.SLEEP);
    await this.setupPack(addresses, thresholds, cbTime);
  }

  /**
   * Some boards lack the registers above 0x3C and leave every request for them unanswered (issue
   * 16). Retrying cannot help them, and "loop silent" would send the user looking for a wiring
   * fault, so when the module still answers DEVICE_STATUS the silence becomes
   * PROTECTED_REGISTERS_UNANSWERED. Any other failure, or a module silent for everything, stays
   * as it was.
   */
  private async unansweredProtectedRegisters(address: number, error: unknown): Promise<unknown> {
    if (
      !isTeslaProtocolError(error) ||
      !UNANSWERED.includes(error.code) ||
      error.register === undefined ||
      !isProtectedRegister(error.register)
    )
      return error;
    try {
      await this.bus.readRegister(address, Register.DEVICE_STATUS);
    } catch (probeError) {
      if (!isTeslaProtocolError(probeError)) throw probeError;
      return error;
    }
    return new TeslaProtocolError(
      'PROTECTED_REGISTERS_UNANSWERED',
      `module ${address} answers but not its protected configuration registers ` +
        `(${registerName(error.register)}…), so the hardware thresholds cannot be programmed; ` +
        'boards without them can run with the hardware thresholds off (software limits only)',
      { address, register: error.register },
      { cause: error },
    );
  }

  /** A latched bit clears on 1 then 0. Nothing is written when no bit needs clearing. */
  private async pulseClear(address: number, register: number, bits: number): Promise<void> {
    if (bits === 0) return;
    await this.bus.writeRegister(address, register, bits);
    await this.bus.writeRegister(address, register, 0x00);
  }
}
