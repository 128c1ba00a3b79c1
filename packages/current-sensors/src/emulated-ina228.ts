import type { Clock } from '@tsbms/hal';
import type { I2cDeviceModel } from '@tsbms/hal/testing';
import {
  decodeIna228AdcConfiguration,
  decodeIna228Charge,
  decodeIna228Configuration,
  decodeIna228CurrentLsbA,
  decodeIna228ShuntVoltage,
  encodeIna228BusVoltage,
  encodeIna228Charge,
  encodeIna228Result,
  encodeIna228ShuntVoltage,
  INA228_CHARGE_OVERFLOW_BIT,
  INA228_DIAGNOSTICS_DEFAULT,
  INA228_MANUFACTURER_ID,
  INA228_MATH_OVERFLOW_BIT,
  INA228_MODES,
  INA228_REGISTER,
  INA228_RESET_ACCUMULATORS_BIT,
} from './ina228-registers';

const { configuration, adcConfiguration, shuntCalibration, diagnostics } = INA228_REGISTER;

/** The 16-bit registers at power-on (Tables 7-5 to 7-24); the rest read 0. */
const POWER_ON_WORDS: ReadonlyMap<number, number> = new Map([
  [adcConfiguration, 0xfb68],
  [shuntCalibration, 0x1000],
  [0x0c, 0x7fff], // SOVL
  [0x0d, 0x8000], // SUVL
  [0x0e, 0x7fff], // BOVL
  [0x10, 0x7fff], // TEMP_LIMIT
  [0x11, 0xffff], // PWR_LIMIT
  [INA228_REGISTER.manufacturerId, INA228_MANUFACTURER_ID],
  [INA228_REGISTER.deviceId, 0x2281],
]);
/** Registers a host may write, with the bits that keep what is written (the rest read 0). */
const WRITABLE_BITS: ReadonlyMap<number, number> = new Map([
  [configuration, 0x3ff0], // RST and RSTACC act, they are not kept; bits 3-0 are reserved
  [adcConfiguration, 0xffff],
  [shuntCalibration, 0x7fff],
  [INA228_REGISTER.shuntTempco, 0x3fff],
  [diagnostics, 0xf000], // ALATCH, CNVR, SLOWALERT, APOL; the flags are the chip's
  ...[0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11].map((limit) => [limit, 0xffff] as const),
]);
const RESULT_MAX = 0x7ffff;
const CHARGE_LIMIT = 2 ** 39;

/**
 * An INA228 at the wire level for a MemoryI2cBus (datasheet SLYS021A): a register pointer set by
 * the first byte of every write, 16-, 24- and 40-bit registers sent MSB first, read-only results
 * and IDs. VSHUNT and VBUS come from {@link setCurrent} and {@link setBusVoltage}; CURRENT is VSHUNT
 * scaled by SHUNT_CAL and ADCRANGE as the chip computes it, and CHARGE integrates it over the time
 * on `clock` while the ADC converts the shunt continuously. DIAG_ALRT reports MATHOF (CURRENT beyond
 * its 20 bits; cleared by a write of ADC_CONFIG or by RSTACC) and CHARGEOF (CHARGE wrapped; cleared
 * by reading CHARGE). RST, POWER, ENERGY, DIETEMP and the alert limits' comparisons are not
 * modelled.
 */
export class EmulatedIna228 implements I2cDeviceModel {
  private readonly words = new Map(POWER_ON_WORDS);
  private pointer = 0;
  private currentA = 0;
  private busVoltageV = 0;
  private chargeCount = 0;
  private accumulatedAtMs: number;
  private mathOverflow = false;
  private chargeOverflow = false;

  constructor(
    private readonly shuntOhm: number,
    private readonly clock: Pick<Clock, 'now'>,
  ) {
    this.accumulatedAtMs = clock.now();
  }

  /** The current through the shunt from now on, IN+ to IN− positive (clipped at the ADC range). */
  setCurrent(currentA: number): void {
    this.accumulate();
    this.currentA = currentA;
    this.checkCurrentFits();
  }

  setBusVoltage(volts: number): void {
    this.busVoltageV = volts;
  }

  /** A 16-bit register's value, for tests. */
  register(register: number): number {
    return this.words.get(register) ?? 0;
  }

  write(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.pointer = bytes[0];
    const kept = WRITABLE_BITS.get(this.pointer);
    if (bytes.length < 3 || kept === undefined) return;
    const value = (bytes[1] << 8) | bytes[2];
    this.accumulate(); // what was counted so far, in the settings it was counted with
    this.words.set(this.pointer, value & kept);
    if (this.pointer === adcConfiguration) this.mathOverflow = false; // a new conversion starts
    if (this.pointer === configuration && value & INA228_RESET_ACCUMULATORS_BIT) {
      this.chargeCount = 0;
      this.mathOverflow = false;
    }
    this.checkCurrentFits();
  }

  read(length: number): Uint8Array {
    this.accumulate(); // the chip counts all the time; the flags too
    const bytes = this.registerBytes(this.pointer);
    if (this.pointer === INA228_REGISTER.charge) this.chargeOverflow = false;
    return Uint8Array.from({ length }, (_, i) => bytes[i % bytes.length]);
  }

  private registerBytes(register: number): Uint8Array {
    switch (register) {
      case INA228_REGISTER.shuntVoltage:
        return this.shuntBytes();
      case INA228_REGISTER.busVoltage:
        return encodeIna228BusVoltage(this.busVoltageV);
      case INA228_REGISTER.current:
        return encodeIna228Result(this.currentCount());
      case INA228_REGISTER.power:
        return new Uint8Array(3);
      case INA228_REGISTER.energy:
        return new Uint8Array(5);
      case INA228_REGISTER.charge:
        return encodeIna228Charge(this.chargeCount);
      default: {
        const word = register === diagnostics ? this.diagnosticsWord() : this.register(register);
        return Uint8Array.of(word >> 8, word & 0xff);
      }
    }
  }

  private diagnosticsWord(): number {
    return (
      this.register(diagnostics) |
      INA228_DIAGNOSTICS_DEFAULT |
      (this.mathOverflow ? INA228_MATH_OVERFLOW_BIT : 0) |
      (this.chargeOverflow ? INA228_CHARGE_OVERFLOW_BIT : 0)
    );
  }

  private shuntFullScaleV() {
    return decodeIna228Configuration(this.register(configuration)).shuntFullScaleV;
  }

  private shuntBytes(): Uint8Array {
    return encodeIna228ShuntVoltage(this.currentA * this.shuntOhm, this.shuntFullScaleV());
  }

  /** CURRENT before it is clipped to 20 bits: VSHUNT (as converted) in CURRENT_LSB steps. */
  private currentCount(): number {
    const calibration = this.register(shuntCalibration);
    if (calibration === 0) return 0; // "the current value reported ... is also zero"
    const fullScaleV = this.shuntFullScaleV();
    const measuredA = decodeIna228ShuntVoltage(this.shuntBytes(), fullScaleV) / this.shuntOhm;
    return measuredA / decodeIna228CurrentLsbA(calibration, this.shuntOhm, fullScaleV);
  }

  private checkCurrentFits(): void {
    if (Math.abs(this.currentCount()) > RESULT_MAX) this.mathOverflow = true;
  }

  /** Adds the charge since the last call, as the chip does conversion by conversion. */
  private accumulate(): void {
    const nowMs = this.clock.now();
    const elapsedS = (nowMs - this.accumulatedAtMs) / 1000;
    this.accumulatedAtMs = nowMs;
    const mode = INA228_MODES[decodeIna228AdcConfiguration(this.register(adcConfiguration)).mode];
    const continuousShunt = (mode & 0b1000) !== 0 && (mode & 0b0010) !== 0;
    if (!continuousShunt || elapsedS <= 0) return;
    const counted = Math.max(-RESULT_MAX - 1, Math.min(RESULT_MAX, this.currentCount()));
    const total = this.chargeCount + counted * elapsedS;
    const overflows = total >= CHARGE_LIMIT || total < -CHARGE_LIMIT;
    if (overflows) this.chargeOverflow = true;
    this.chargeCount = overflows ? decodeIna228Charge(encodeIna228Charge(total)) : total;
  }
}
