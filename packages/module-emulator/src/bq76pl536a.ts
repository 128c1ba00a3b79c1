import {
  AdcControl,
  AddressControl,
  AlertStatus,
  BROADCAST_ADDRESS,
  DeviceStatus,
  FaultStatus,
  FunctionConfig,
  IoConfig,
  IoControl,
  PROTECTED_REGISTER_FIRST,
  RAW_FULL_SCALE,
  RESET_MAGIC,
  Register,
  SHADOW_UNLOCK,
  TESLA_FACTORY_CONFIG,
  cellVoltageToRaw,
  crc8,
  decodeCovThreshold,
  decodeCuvThreshold,
  decodeOtDelayMs,
  decodeOtThresholds,
  decodeProtectionDelayMs,
  gpaiVoltageToRaw,
  temperatureFromRaw,
  temperatureToRaw,
} from '@tsbms/tesla-protocol';
import { BalanceTimer } from './balance-timer';
import { CELLS_PER_MODULE } from './physics-constants';
import { ProtectionComparators, type ProtectionSettings, type ProtectionTrips } from './protection';

/** Register space the emulator implements: 0x00..0x4F. */
export const REGISTER_COUNT = 0x50;

// Read on every physics step: bound once instead of through the package's re-export getters.
const IO_CONTROL = Register.IO_CONTROL;
const SLEEP_BIT = IoControl.SLEEP;

/** Bit 7 of byte 0 in replies from an unaddressed module (T-4). */
const UNADDRESSED_REPLY_MARK = 0x80;
/** Reference settling before an auto-mode conversion (datasheet: about 500 µs). */
const REFERENCE_SETTLE_MS = 0.5;
const ADC_TIME_PER_CHANNEL_US = [3, 6, 12, 24];

/** What the chip's pins see at one instant. */
export interface ChipInputs {
  readonly cellsV: readonly number[];
  /** VBAT, the module voltage. */
  readonly moduleV: number;
  /** TS1, TS2 as the sensors present them with bias on. */
  readonly thermistors: readonly ThermistorInput[];
}

/**
 * A healthy thermistor is given by its temperature (converted to counts only when the ADC
 * runs, which keeps long simulations cheap); a faulty one by the counts it forces.
 */
export type ThermistorInput = { readonly celsius: number } | { readonly raw: number };

function thermistorCelsius(t: ThermistorInput): number {
  return 'celsius' in t ? t.celsius : temperatureFromRaw(t.raw);
}

function thermistorRaw(t: ThermistorInput): number {
  return 'raw' in t ? t.raw : temperatureToRaw(t.celsius);
}

/** How a frame addressed to this chip ended. */
export type ExecuteResult =
  | { readonly outcome: 'executed'; readonly reply: Uint8Array }
  | { readonly outcome: 'badCrc' };

export interface ChipCounters {
  readonly framesExecuted: number;
  /** Write frames among them (each may have changed a register). */
  readonly writesExecuted: number;
  readonly crcErrors: number;
  readonly protectedWritesRejected: number;
  /** Writes to E_EN (0x3F): OTP programming enable. Integration tests assert zero (T-10). */
  readonly eEnWrites: number;
  /** Writes to TEST_SELECT (0x3D). Integration tests assert zero (T-10). */
  readonly testSelectWrites: number;
  readonly resets: number;
}

/**
 * A TI bq76PL536A as the Tesla board exposes it: the register file 0x00..0x4F, addressing,
 * conversions, balancing with its safety timer, shadowed OTP configuration behind the
 * single-use SHDW_CTRL unlock, COV/CUV/OT comparators with latched status bits, and sleep.
 *
 * Time is passed in: the owner calls {@link onTime} at every instant it wants the chip to see
 * (and at least at {@link nextEventMs}), and executes frames at the current time.
 */
export class Bq76pl536a {
  private readonly registers = new Uint8Array(REGISTER_COUNT);
  private readonly otp: Uint8Array;
  private readonly balance = new BalanceTimer();
  private readonly comparators = new ProtectionComparators();
  private address = 0;
  private alertLatched = 0;
  private alertWritten = 0;
  private faultLatched = 0;
  private faultWritten = 0;
  private covCells = 0;
  private cuvCells = 0;
  private trips: ProtectionTrips = { covMask: 0, cuvMask: 0, ot1: false, ot2: false };
  private conversionDueMs: number | undefined;
  private dataReady = true;
  private unlocked = false;
  private cachedSettings: ProtectionSettings | undefined;
  private readonly counts = {
    framesExecuted: 0,
    writesExecuted: 0,
    crcErrors: 0,
    protectedWritesRejected: 0,
    eEnWrites: 0,
    testSelectWrites: 0,
    resets: 0,
  };

  /** @param otpValues the one-time-programmable values of 0x40..0x4F (default: Tesla factory). */
  constructor(otpValues: ArrayLike<number> = TESLA_FACTORY_CONFIG) {
    this.otp = new Uint8Array(REGISTER_COUNT - PROTECTED_REGISTER_FIRST);
    this.otp.set(Array.from(otpValues).slice(0, this.otp.length));
    this.powerUp();
    this.counts.resets = 0;
  }

  /** The address it answers to (0 = unaddressed). */
  get moduleAddress(): number {
    return this.address;
  }

  /** Balance FETs switched on now (bit i = cell i + 1). */
  get balanceOutputMask(): number {
    return this.balance.outputMask;
  }

  get asleep(): boolean {
    return (this.registers[IO_CONTROL] & SLEEP_BIT) !== 0;
  }

  get counters(): ChipCounters {
    return { ...this.counts };
  }

  /** Power-on or RESET 0xA5: registers to reset values, address 0, POR and AR set, shadows from OTP. Counted in `resets`. */
  powerUp(): void {
    this.registers.fill(0);
    this.registers.set(this.otp, PROTECTED_REGISTER_FIRST);
    this.address = 0;
    this.alertLatched = AlertStatus.AR;
    this.alertWritten = 0;
    this.faultLatched = FaultStatus.POR;
    this.faultWritten = 0;
    this.covCells = 0;
    this.cuvCells = 0;
    this.trips = this.comparators.disable();
    this.balance.reset();
    this.conversionDueMs = undefined;
    this.dataReady = true;
    this.unlocked = false;
    this.cachedSettings = undefined;
    this.counts.resets++;
  }

  /** Which frames this chip takes: its own address (0 while unaddressed) or broadcast. */
  addressing(byte0: number): 'mine' | 'broadcast' | 'foreign' {
    const target = byte0 >> 1; // 7 bits: a byte with bit 7 set addresses nobody
    if (target === this.address) return 'mine';
    return target === BROADCAST_ADDRESS ? 'broadcast' : 'foreign';
  }

  /** A frame passed by on its way to someone else: it ends a pending shadow unlock (T-9). */
  observeForeignFrame(): void {
    this.unlocked = false;
  }

  /** The next instant something happens by itself (conversion done, timer expiry, a delay trips). */
  nextEventMs(nowMs: number): number | undefined {
    const candidates = [
      this.conversionDueMs,
      this.balance.deadlineMs,
      this.comparators.nextTripMs(this.settings(), nowMs),
    ];
    let next: number | undefined;
    for (const c of candidates) if (c !== undefined && (next === undefined || c < next)) next = c;
    return next;
  }

  /** Lets the chip see its inputs at `nowMs`: finishes a due conversion, runs timers and comparators. */
  onTime(nowMs: number, inputs: ChipInputs): void {
    if (this.conversionDueMs !== undefined && this.conversionDueMs <= nowMs) this.completeConversion(inputs);
    this.balance.expireIfDue(nowMs);
    this.trips = this.asleep
      ? this.comparators.disable()
      : this.comparators.evaluate(nowMs, this.comparatorInputs(inputs), this.settings());
    this.applyCauses();
  }

  /**
   * Executes a request addressed to this chip (`mine` or `broadcast`), already framed, at
   * `nowMs` (after {@link onTime} for that instant). A broadcast write returns its echo too;
   * the chain decides whether it is sent.
   */
  execute(frame: Uint8Array, nowMs: number): ExecuteResult {
    const unlocked = this.unlocked;
    this.unlocked = false;
    const crcChecked = frame.length === 4 && (this.registers[Register.IO_CONFIG] & IoConfig.CRC_DIS) === 0;
    const truncatedWrite = (frame[0] & 1) === 1 && frame.length !== 4;
    if (truncatedWrite || (crcChecked && crc8(frame.subarray(0, 3)) !== frame[3])) {
      this.counts.crcErrors++;
      this.faultLatched |= FaultStatus.CRC;
      return { outcome: 'badCrc' };
    }
    this.counts.framesExecuted++;
    const [byte0, reg, value] = frame;
    // Bit-7 rule: an unaddressed chip marks its replies; the CRC is over the unmarked byte.
    const mark = this.address === 0 && byte0 >> 1 === 0 ? UNADDRESSED_REPLY_MARK : 0;
    if (byte0 & 1) {
      const echo = Uint8Array.of(byte0 | mark, reg, value, frame[3]);
      this.counts.writesExecuted++;
      this.writeRegister(reg, value, nowMs, unlocked);
      return { outcome: 'executed', reply: echo };
    }
    const body = [byte0, reg, value];
    for (let i = 0; i < value; i++) body.push(this.readRegister(reg + i));
    const reply = Uint8Array.from([...body, crc8(Uint8Array.from(body))]);
    reply[0] |= mark;
    return { outcome: 'executed', reply };
  }

  /** The value a read of `reg` returns now (reserved and out-of-range addresses read 0). */
  readRegister(reg: number): number {
    switch (reg) {
      case Register.DEVICE_STATUS:
        return this.deviceStatus();
      case Register.ALERT_STATUS:
        return this.alertLatched | this.alertWritten;
      case Register.FAULT_STATUS:
        return this.faultLatched | this.faultWritten;
      case Register.COV_FAULT:
        return this.covCells;
      case Register.CUV_FAULT:
        return this.cuvCells;
      case Register.CB_CTRL:
        return this.balance.cbCtrlRegister;
      case Register.CB_TIME:
        return this.balance.cbTimeRegister;
      case Register.ADC_CONVERT:
        return this.conversionDueMs === undefined ? 0 : 1;
      default:
        return reg < REGISTER_COUNT ? this.registers[reg] : 0;
    }
  }

  /** All 80 registers as a read would return them. */
  registerFile(): number[] {
    return Array.from({ length: REGISTER_COUNT }, (_, reg) => this.readRegister(reg));
  }

  private writeRegister(reg: number, value: number, nowMs: number, unlocked: boolean): void {
    if (reg >= PROTECTED_REGISTER_FIRST && reg < REGISTER_COUNT) {
      if (unlocked) {
        this.registers[reg] = value;
        this.cachedSettings = undefined;
      } else {
        this.counts.protectedWritesRejected++;
      }
      return;
    }
    switch (reg) {
      case Register.ALERT_STATUS: {
        const cleared = this.alertWritten & ~value;
        this.alertWritten = value;
        this.alertLatched &= ~cleared;
        break;
      }
      case Register.FAULT_STATUS: {
        const cleared = this.faultWritten & ~value;
        this.faultWritten = value;
        this.faultLatched &= ~cleared;
        if (cleared & FaultStatus.COV) this.covCells = 0;
        if (cleared & FaultStatus.CUV) this.cuvCells = 0;
        break;
      }
      case Register.ADC_CONTROL:
        this.registers[reg] = value;
        break;
      case Register.IO_CONTROL:
        this.registers[reg] = value;
        if (value & IoControl.SLEEP) this.trips = this.comparators.disable();
        break;
      case Register.CB_CTRL:
        this.balance.writeCbCtrl(value, nowMs);
        break;
      case Register.CB_TIME:
        this.balance.writeCbTime(value);
        break;
      case Register.ADC_CONVERT:
        if (value & 1 && !this.asleep && this.conversionDueMs === undefined) {
          this.dataReady = false;
          this.conversionDueMs = nowMs + this.conversionTimeMs();
        }
        break;
      case Register.SHDW_CTRL:
        this.registers[reg] = value;
        this.unlocked = value === SHADOW_UNLOCK;
        break;
      case Register.ADDRESS_CONTROL: {
        const address = value & AddressControl.ADDRESS_MASK;
        if (address === BROADCAST_ADDRESS) break;
        this.address = address;
        this.registers[reg] = (value & AddressControl.ADDR_RQST) | address;
        break;
      }
      case Register.RESET:
        if (value === RESET_MAGIC) this.powerUp();
        break;
      case Register.TEST_SELECT:
        this.counts.testSelectWrites++;
        this.registers[reg] = value;
        break;
      case Register.E_EN:
        this.counts.eEnWrites++;
        this.registers[reg] = value;
        break;
      default:
        // Results and reserved registers ignore writes.
        break;
    }
    this.applyCauses();
  }

  private deviceStatus(): number {
    let status = 0;
    if (this.registers[Register.ADDRESS_CONTROL] & AddressControl.ADDR_RQST) status |= DeviceStatus.ADDR_RQST;
    if (this.faultLatched | this.faultWritten) status |= DeviceStatus.FAULT;
    if (this.alertLatched | this.alertWritten) status |= DeviceStatus.ALERT;
    if (this.balance.running) status |= DeviceStatus.CBT;
    if (this.dataReady) status |= DeviceStatus.DRDY;
    return status;
  }

  /** Causes that persist set their latched bits again, even right after a clear. */
  private applyCauses(): void {
    if (!(this.registers[Register.ADDRESS_CONTROL] & AddressControl.ADDR_RQST))
      this.alertLatched |= AlertStatus.AR;
    if (this.asleep) this.alertLatched |= AlertStatus.SLEEP;
    if (this.trips.ot1) this.alertLatched |= AlertStatus.OT1;
    if (this.trips.ot2) this.alertLatched |= AlertStatus.OT2;
    if (this.trips.covMask) {
      this.faultLatched |= FaultStatus.COV;
      this.covCells |= this.trips.covMask;
    }
    if (this.trips.cuvMask) {
      this.faultLatched |= FaultStatus.CUV;
      this.cuvCells |= this.trips.cuvMask;
    }
  }

  private conversionTimeMs(): number {
    const adc = this.registers[Register.ADC_CONTROL];
    const cells = Math.min(CELLS_PER_MODULE, (adc & AdcControl.CELL_SEL_MASK) + 1);
    const channels =
      cells +
      (adc & AdcControl.GPAI ? 1 : 0) +
      (adc & AdcControl.TS1 ? 1 : 0) +
      (adc & AdcControl.TS2 ? 1 : 0);
    const perChannelUs = ADC_TIME_PER_CHANNEL_US[this.registers[Register.FUNCTION_CONFIG] >> 6];
    return (adc & AdcControl.ADC_ON ? 0 : REFERENCE_SETTLE_MS) + (channels * perChannelUs) / 1000;
  }

  private completeConversion(inputs: ChipInputs): void {
    const adc = this.registers[Register.ADC_CONTROL];
    const cells = Math.min(CELLS_PER_MODULE, (adc & AdcControl.CELL_SEL_MASK) + 1);
    for (let i = 0; i < cells; i++) this.store16(Register.VCELL1 + 2 * i, cellVoltageToRaw(inputs.cellsV[i]));
    if (adc & AdcControl.GPAI) {
      const vbat = this.registers[Register.FUNCTION_CONFIG] & FunctionConfig.GPAI_SRC_VBAT;
      this.store16(Register.GPAI, vbat ? gpaiVoltageToRaw(inputs.moduleV) : 0);
    }
    const biased = this.biasedThermistors(inputs);
    if (adc & AdcControl.TS1) this.store16(Register.TEMPERATURE1, biased[0] ? thermistorRaw(biased[0]) : 0);
    if (adc & AdcControl.TS2) this.store16(Register.TEMPERATURE2, biased[1] ? thermistorRaw(biased[1]) : 0);
    this.conversionDueMs = undefined;
    this.dataReady = true;
  }

  /** Thermistors the chip can see: without bias a sensor reads 0 and cannot trip OT. */
  private biasedThermistors(inputs: ChipInputs): (ThermistorInput | undefined)[] {
    const io = this.registers[Register.IO_CONTROL];
    return [
      io & IoControl.TS1 ? inputs.thermistors[0] : undefined,
      io & IoControl.TS2 ? inputs.thermistors[1] : undefined,
    ];
  }

  private comparatorInputs(inputs: ChipInputs) {
    return {
      cellsV: inputs.cellsV,
      thermistorC: this.biasedThermistors(inputs).map((t) =>
        t === undefined ? undefined : thermistorCelsius(t),
      ),
    };
  }

  private store16(reg: number, raw: number): void {
    // The ADC saturates at its 14-bit full scale; it cannot report more.
    const value = Math.max(0, Math.min(RAW_FULL_SCALE, Math.round(raw)));
    this.registers[reg] = value >> 8;
    this.registers[reg + 1] = value & 0xff;
  }

  private settings(): ProtectionSettings {
    this.cachedSettings ??= this.decodeSettings();
    return this.cachedSettings;
  }

  private decodeSettings(): ProtectionSettings {
    const r = this.registers;
    const [ot1C, ot2C] = decodeOtThresholds(r[Register.CONFIG_OT]);
    return {
      covV: decodeCovThreshold(r[Register.CONFIG_COV]),
      covDelayMs: decodeProtectionDelayMs(r[Register.CONFIG_COVT]),
      cuvV: decodeCuvThreshold(r[Register.CONFIG_UV]),
      cuvDelayMs: decodeProtectionDelayMs(r[Register.CONFIG_UVT]),
      ot1C,
      ot2C,
      otDelayMs: decodeOtDelayMs(r[Register.CONFIG_OTT]),
    };
  }
}
