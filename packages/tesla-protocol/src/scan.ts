import { sleepMs, type Clock } from '@tsbms/hal';
import { requireClockOptions, requireTeslaBus } from './argument-guards';
import type { TeslaBus } from './bus';
import { cellVoltageFromRaw, gpaiVoltageFromRaw, readUint16BE, temperatureFromRaw } from './conversions';
import { isTeslaProtocolError } from './errors';
import type { ImplausibleValue, ModuleReading, PackReading } from '@tsbms/pack-reading';
import { checkCellRaw, checkModuleVoltageRaw, checkRawBits, checkTemperatureRaw } from './plausibility';
import {
  ADC_CONVERT_START,
  CELL_MASK,
  cellRegister,
  DeviceStatus,
  Register,
  SCAN_BLOCK_LENGTH,
  SCAN_BLOCK_START,
  STATUS_BLOCK_LENGTH,
  STATUS_BLOCK_START,
} from './registers';
import {
  cellsInMask,
  decodeHardwareFlags,
  decodeStatusRegisters,
  type ModuleStatusRegisters,
} from './status-flags';

export interface ScanOptions {
  readonly clock: Clock;
  /** Wait between the broadcast convert and the first read (T-19: at least 1 ms). */
  readonly conversionWaitMs?: number;
  /** Treat a clear DRDY as a failed read (T-20; switchable until bench-confirmed). Default true. */
  readonly requireDataReady?: boolean;
  /** Wait after stopping the balance FETs before converting (T-22). Default 50 ms. */
  readonly balanceSettleMs?: number;
}

export const DEFAULT_CONVERSION_WAIT_MS = 1;
export const DEFAULT_BALANCE_SETTLE_MS = 50;

export type ImplausibleQuantity = ImplausibleValue['quantity'];

export interface ModuleScanStats {
  readonly implausible: Readonly<Record<ImplausibleQuantity, number>>;
  /** Reads refused because DRDY was clear. */
  readonly dataNotReady: number;
  /** Scans in which the module gave no usable reading. */
  readonly failedReads: number;
}

export interface ScanStats {
  readonly scans: number;
  /** Scans in which the broadcast convert (or the balancing stop) failed, so no module was read. */
  readonly broadcastFailures: number;
  /** Balance masks that could not be written back (balancing stays off for that module). */
  readonly balanceWriteFailures: number;
  readonly perModule: Readonly<Record<number, ModuleScanStats>>;
}

interface MutableModuleStats {
  implausible: Record<ImplausibleQuantity, number>;
  dataNotReady: number;
  failedReads: number;
}

const CELLS = 6;
const SENSORS = 2;

/**
 * One scan of the pack (T-19..T-22): [stop balancing, settle] → broadcast ADC_CONVERT → wait →
 * one 19-byte read per module (+ 4-byte status read when FAULT/ALERT is set) → [re-apply the
 * balance masks]. Readings are decoded to SI; implausible values are reported and counted,
 * never clamped or zeroed. Without balancing a scan of N modules costs 8 + 27·N bytes.
 */
export class PackScanner {
  private readonly conversionWaitMs: number;
  private readonly requireDataReady: boolean;
  private readonly balanceSettleMs: number;
  private scans = 0;
  private broadcastFailures = 0;
  private balanceWriteFailures = 0;
  private readonly perModule = new Map<number, MutableModuleStats>();

  constructor(
    private readonly bus: TeslaBus,
    private readonly options: ScanOptions,
  ) {
    requireTeslaBus(bus, 'bus');
    requireClockOptions(options, 'options', 'scan options');
    this.conversionWaitMs = Math.max(
      DEFAULT_CONVERSION_WAIT_MS,
      options.conversionWaitMs ?? DEFAULT_CONVERSION_WAIT_MS,
    );
    this.requireDataReady = options.requireDataReady ?? true;
    this.balanceSettleMs = options.balanceSettleMs ?? DEFAULT_BALANCE_SETTLE_MS;
  }

  get stats(): ScanStats {
    const perModule: Record<number, ModuleScanStats> = {};
    for (const [address, s] of [...this.perModule].sort(([a], [b]) => a - b)) {
      perModule[address] = Object.freeze({
        ...s,
        implausible: Object.freeze({ ...s.implausible }),
      });
    }
    return Object.freeze({
      scans: this.scans,
      broadcastFailures: this.broadcastFailures,
      balanceWriteFailures: this.balanceWriteFailures,
      perModule: Object.freeze(perModule),
    });
  }

  /**
   * Scans the modules at `addresses` (in that order). `balanceMasks` maps an address to its
   * CB_CTRL mask (bit i = cell i + 1); any non-zero mask turns on the T-22 sequence.
   * Never throws for protocol failures: a module that could not be read is `commsOk: false`.
   * A closed link is thrown (LINK_CLOSED), since no scan can follow.
   */
  async scanPack(
    addresses: readonly number[],
    balanceMasks: ReadonlyMap<number, number> = new Map(),
  ): Promise<PackReading> {
    this.scans++;
    const masks = [...balanceMasks].filter(([, mask]) => (mask & CELL_MASK) !== 0);
    const converted = await this.convert(masks.length > 0);
    const modules: ModuleReading[] = [];
    for (const address of addresses) {
      modules.push(converted ? await this.readModule(address) : this.failedModule(address));
    }
    if (converted) {
      for (const [address, mask] of masks) {
        try {
          await this.bus.writeRegister(address, Register.CB_CTRL, mask & CELL_MASK);
        } catch (error) {
          rethrowIfClosed(error);
          this.balanceWriteFailures++;
        }
      }
    }
    return Object.freeze({
      timestampMs: this.options.clock.now(),
      modules: Object.freeze(modules),
    });
  }

  /** Stops balancing if needed, broadcasts ADC_CONVERT and waits. False when a broadcast failed. */
  private async convert(balancing: boolean): Promise<boolean> {
    try {
      if (balancing) {
        // Bleed current through the sense wires would make the cells read low (T-22).
        await this.bus.broadcastRegister(Register.CB_CTRL, 0);
        await sleepMs(this.options.clock, this.balanceSettleMs);
      }
      await this.bus.broadcastRegister(Register.ADC_CONVERT, ADC_CONVERT_START);
    } catch (error) {
      rethrowIfClosed(error);
      this.broadcastFailures++;
      return false;
    }
    await sleepMs(this.options.clock, this.conversionWaitMs);
    return true;
  }

  private async readModule(address: number): Promise<ModuleReading> {
    const stats = this.statsOf(address);
    let block: readonly number[];
    let status: ModuleStatusRegisters | undefined;
    try {
      block = await this.bus.readRegisters(address, SCAN_BLOCK_START, SCAN_BLOCK_LENGTH);
      if (block[0] & (DeviceStatus.FAULT | DeviceStatus.ALERT)) {
        status = decodeStatusRegisters(
          await this.bus.readRegisters(address, STATUS_BLOCK_START, STATUS_BLOCK_LENGTH),
        );
      }
    } catch (error) {
      rethrowIfClosed(error);
      return this.failedModule(address);
    }
    const deviceStatus = block[0];
    const flags = {
      hardwareFlags: Object.freeze(decodeHardwareFlags(deviceStatus, status)),
      overVoltageCells: Object.freeze(status ? cellsInMask(status.covFault) : []),
      underVoltageCells: Object.freeze(status ? cellsInMask(status.cuvFault) : []),
      balanceTimerRunning: (deviceStatus & DeviceStatus.CBT) !== 0,
    };
    if (this.requireDataReady && !(deviceStatus & DeviceStatus.DRDY)) {
      // T-20: values of an unfinished conversion count as a failed read; the status bits are still real.
      stats.dataNotReady++;
      stats.failedReads++;
      return Object.freeze({ ...unansweredModuleReading(address), ...flags });
    }
    return Object.freeze({
      address,
      commsOk: true,
      ...this.decodeMeasurements(block, stats),
      ...flags,
    });
  }

  private decodeMeasurements(
    block: readonly number[],
    stats: MutableModuleStats,
  ): Pick<ModuleReading, 'cellVoltagesV' | 'temperaturesC' | 'moduleVoltageV' | 'implausible'> {
    const implausible: ImplausibleValue[] = [];
    const reject = (quantity: ImplausibleQuantity, index: number, raw: number, reason: string): null => {
      implausible.push(Object.freeze({ quantity, index, raw, reason }));
      stats.implausible[quantity]++;
      return null;
    };
    const cellVoltagesV = range(CELLS).map((i) => {
      const raw = readUint16BE(block, cellRegister(i));
      const reason = checkCellRaw(raw);
      return reason ? reject('cellVoltage', i, raw, reason) : cellVoltageFromRaw(raw);
    });
    const temperaturesC = range(SENSORS).map((i) => {
      const raw = readUint16BE(block, Register.TEMPERATURE1 + 2 * i);
      const reason = checkTemperatureRaw(raw);
      return reason ? reject('temperature', i, raw, reason) : temperatureFromRaw(raw);
    });
    // GPAI is reported only once cross-checked against the cell sum (a broken sense wire shows
    // here); with an implausible cell there is nothing to check it against, so it stays null.
    const gpaiRaw = readUint16BE(block, Register.GPAI);
    let moduleVoltageV: number | null = null;
    const bitsReason = checkRawBits(gpaiRaw);
    if (bitsReason) {
      reject('moduleVoltage', 0, gpaiRaw, bitsReason);
    } else if (cellVoltagesV.every((v) => v !== null)) {
      const sumV = (cellVoltagesV as number[]).reduce((a, b) => a + b, 0);
      const reason = checkModuleVoltageRaw(gpaiRaw, sumV);
      moduleVoltageV = reason ? reject('moduleVoltage', 0, gpaiRaw, reason) : gpaiVoltageFromRaw(gpaiRaw);
    }
    return {
      cellVoltagesV: Object.freeze(cellVoltagesV),
      temperaturesC: Object.freeze(temperaturesC),
      moduleVoltageV,
      implausible: Object.freeze(implausible),
    };
  }

  private failedModule(address: number): ModuleReading {
    this.statsOf(address).failedReads++;
    return Object.freeze(unansweredModuleReading(address));
  }

  private statsOf(address: number): MutableModuleStats {
    let stats = this.perModule.get(address);
    if (!stats) {
      stats = {
        implausible: { cellVoltage: 0, temperature: 0, moduleVoltage: 0 },
        dataNotReady: 0,
        failedReads: 0,
      };
      this.perModule.set(address, stats);
    }
    return stats;
  }
}

/** The reading of a module that gave no usable answer: comms failed, every value unknown. */
export function unansweredModuleReading(address: number): ModuleReading {
  return {
    address,
    commsOk: false,
    cellVoltagesV: Object.freeze(new Array<null>(CELLS).fill(null)),
    temperaturesC: Object.freeze(new Array<null>(SENSORS).fill(null)),
    moduleVoltageV: null,
    implausible: Object.freeze([]),
    hardwareFlags: Object.freeze([]),
    overVoltageCells: Object.freeze([]),
    underVoltageCells: Object.freeze([]),
    balanceTimerRunning: false,
  };
}

function rethrowIfClosed(error: unknown): void {
  if (!isTeslaProtocolError(error) || error.code === 'LINK_CLOSED') throw error;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
