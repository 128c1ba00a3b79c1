import type { I2cDeviceModel } from '@tsbms/hal/testing';
import {
  ADS1115_OS_BIT,
  ADS1115_REGISTER,
  decodeAds1115Configuration,
  encodeAds1115Conversion,
} from './ads1115-registers';

/** Config register at power-on: single-shot, AIN0-AIN1, ±2.048 V, 128 SPS, comparator off. */
const POWER_ON_CONFIG = 0x8583;

/**
 * An ADS1115 at the wire level for a MemoryI2cBus (datasheet SBAS444): register pointer, MSB-first
 * registers, a read-only conversion register holding the input set with {@link setInputVoltage}
 * as a code of the configured full scale, and the config's OS bit reading 0 while converting
 * continuously, 1 when idle in single-shot mode.
 */
export class EmulatedAds1115 implements I2cDeviceModel {
  private config = POWER_ON_CONFIG;
  private inputV = 0;
  private pointer = 0;
  private readonly thresholds = new Map<number, number>([
    [ADS1115_REGISTER.loThresh, 0x8000],
    [ADS1115_REGISTER.hiThresh, 0x7fff],
  ]);

  /** The voltage at the selected input (differential or against GND). */
  setInputVoltage(volts: number): void {
    this.inputV = volts;
  }

  write(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.pointer = bytes[0] & 0b11;
    if (bytes.length < 3) return;
    const value = (bytes[1] << 8) | bytes[2];
    if (this.pointer === ADS1115_REGISTER.config) this.config = value & ~ADS1115_OS_BIT;
    else if (this.pointer !== ADS1115_REGISTER.conversion) this.thresholds.set(this.pointer, value);
  }

  read(length: number): Uint8Array {
    const value = this.registerValue();
    return Uint8Array.from({ length }, (_, i) => (i % 2 === 0 ? value >> 8 : value & 0xff));
  }

  private registerValue(): number {
    const { fullScaleV, continuous } = decodeAds1115Configuration(this.config);
    switch (this.pointer) {
      case ADS1115_REGISTER.conversion:
        return encodeAds1115Conversion(this.inputV, fullScaleV);
      case ADS1115_REGISTER.config:
        return continuous ? this.config : this.config | ADS1115_OS_BIT;
      default:
        return this.thresholds.get(this.pointer) ?? 0;
    }
  }
}
