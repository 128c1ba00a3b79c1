import type { I2cDeviceModel } from '@tsbms/hal/testing';
import {
  encodeIna226BusVoltage,
  encodeIna226ShuntVoltage,
  INA226_CONFIG_FIXED_BITS,
  INA226_DIE_ID,
  INA226_MANUFACTURER_ID,
  INA226_REGISTER,
  INA226_RESET_BIT,
} from './ina226-registers';

/** Registers a host may write; the rest are read-only (measurements, IDs). */
const WRITABLE = new Set<number>([
  INA226_REGISTER.configuration,
  INA226_REGISTER.calibration,
  INA226_REGISTER.maskEnable,
  INA226_REGISTER.alertLimit,
]);

const POWER_ON_REGISTERS: ReadonlyMap<number, number> = new Map([
  [INA226_REGISTER.configuration, 0x4127],
  [INA226_REGISTER.manufacturerId, INA226_MANUFACTURER_ID],
  [INA226_REGISTER.dieId, INA226_DIE_ID],
]);

/**
 * An INA226 at the wire level for a MemoryI2cBus (datasheet SBOS547): a register pointer set by
 * the first byte of every write, 16-bit registers sent MSB first, read-only measurement and ID
 * registers, bit 14 of the configuration always reading 1 and bit 15 resetting every register.
 * The shunt and bus voltages come from {@link setCurrent} and {@link setBusVoltage}.
 */
export class EmulatedIna226 implements I2cDeviceModel {
  private readonly registers = new Map(POWER_ON_REGISTERS);
  private pointer = 0;

  constructor(private readonly shuntOhm: number) {}

  /** The current through the shunt, IN+ to IN− positive (clipped at the ±81.92 mV input range). */
  setCurrent(currentA: number): void {
    this.registers.set(INA226_REGISTER.shuntVoltage, encodeIna226ShuntVoltage(currentA * this.shuntOhm));
  }

  setBusVoltage(volts: number): void {
    this.registers.set(INA226_REGISTER.busVoltage, encodeIna226BusVoltage(volts));
  }

  /** A register's value, for tests. */
  register(register: number): number {
    return this.registers.get(register) ?? 0;
  }

  write(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.pointer = bytes[0];
    if (bytes.length < 3 || !WRITABLE.has(this.pointer)) return;
    const value = (bytes[1] << 8) | bytes[2];
    if (this.pointer !== INA226_REGISTER.configuration) {
      this.registers.set(this.pointer, value);
    } else if (value & INA226_RESET_BIT) {
      const { shuntVoltage, busVoltage } = INA226_REGISTER;
      const measured = [shuntVoltage, busVoltage].map((r) => [r, this.register(r)] as const);
      this.registers.clear();
      for (const [r, v] of [...POWER_ON_REGISTERS, ...measured]) this.registers.set(r, v);
    } else {
      this.registers.set(this.pointer, value | INA226_CONFIG_FIXED_BITS);
    }
  }

  read(length: number): Uint8Array {
    const value = this.register(this.pointer);
    return Uint8Array.from({ length }, (_, i) => (i % 2 === 0 ? value >> 8 : value & 0xff));
  }
}
