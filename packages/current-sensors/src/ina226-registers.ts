/*
 * The INA226's registers (TI SBOS547, "Register Maps"): 16 bits each, sent most significant byte
 * first. Pure encode/decode; the driver and the emulated chip share them.
 */

export const INA226_REGISTER = {
  configuration: 0x00,
  shuntVoltage: 0x01,
  busVoltage: 0x02,
  power: 0x03,
  current: 0x04,
  calibration: 0x05,
  maskEnable: 0x06,
  alertLimit: 0x07,
  manufacturerId: 0xfe,
  dieId: 0xff,
} as const;

/** "TI" in ASCII. */
export const INA226_MANUFACTURER_ID = 0x5449;
/** Die ID register of the INA226 (device ID 0x226, die revision 0). */
export const INA226_DIE_ID = 0x2260;

/** Shunt voltage LSB: 2.5 µV; the register spans ±81.92 mV. */
export const INA226_SHUNT_LSB_V = 2.5e-6;
/** Bus voltage LSB: 1.25 mV; the register spans 0..40.96 V (the pin is rated 36 V). */
export const INA226_BUS_LSB_V = 1.25e-3;
/** Configuration bit 15: writing 1 resets every register to its default. */
export const INA226_RESET_BIT = 0x8000;
/** Configuration bit 14 has no function and always reads 1 (default 0x4127). */
export const INA226_CONFIG_FIXED_BITS = 0x4000;
/** Mask/Enable bit 2: the power or current calculation overflowed. */
export const INA226_MATH_OVERFLOW_BIT = 0x0004;
/** Mask/Enable bit 3: a conversion completed since the register was last read. */
export const INA226_CONVERSION_READY_BIT = 0x0008;

/** Samples averaged per result (AVG, bits 11-9), in code order. */
export const INA226_AVERAGES = [1, 4, 16, 64, 128, 256, 512, 1024] as const;
export type Ina226Averages = (typeof INA226_AVERAGES)[number];
/** Conversion times in µs (VBUSCT bits 8-6, VSHCT bits 5-3), in code order. */
export const INA226_CONVERSION_TIMES_US = [140, 204, 332, 588, 1100, 2116, 4156, 8244] as const;
export type Ina226ConversionTimeUs = (typeof INA226_CONVERSION_TIMES_US)[number];

/** MODE (bits 2-0): what the chip converts. */
export const INA226_MODES = {
  powerDown: 0b000,
  shuntTriggered: 0b001,
  busTriggered: 0b010,
  shuntAndBusTriggered: 0b011,
  shuntContinuous: 0b101,
  busContinuous: 0b110,
  shuntAndBusContinuous: 0b111,
} as const;
export type Ina226Mode = keyof typeof INA226_MODES;

export interface Ina226Configuration {
  readonly averages: Ina226Averages;
  readonly busConversionUs: Ina226ConversionTimeUs;
  readonly shuntConversionUs: Ina226ConversionTimeUs;
  readonly mode: Ina226Mode;
}

/** The configuration register's value for `config` (reset bit clear, bit 14 as the chip reads it). */
export function encodeIna226Configuration(config: Ina226Configuration): number {
  const averages = INA226_AVERAGES.indexOf(config.averages);
  const bus = INA226_CONVERSION_TIMES_US.indexOf(config.busConversionUs);
  const shunt = INA226_CONVERSION_TIMES_US.indexOf(config.shuntConversionUs);
  const mode = INA226_MODES[config.mode] as number | undefined;
  if (averages < 0 || bus < 0 || shunt < 0 || mode === undefined)
    throw new RangeError(`not an INA226 configuration: ${JSON.stringify(config)}`);
  return INA226_CONFIG_FIXED_BITS | (averages << 9) | (bus << 6) | (shunt << 3) | mode;
}

/** The configuration a register value holds; `undefined` for the unused modes 0b100. */
export function decodeIna226Configuration(raw: number): Ina226Configuration | undefined {
  const modeCode = raw & 0b111;
  const mode = (Object.keys(INA226_MODES) as Ina226Mode[]).find((name) => INA226_MODES[name] === modeCode);
  if (mode === undefined) return undefined;
  return {
    averages: INA226_AVERAGES[(raw >> 9) & 0b111],
    busConversionUs: INA226_CONVERSION_TIMES_US[(raw >> 6) & 0b111],
    shuntConversionUs: INA226_CONVERSION_TIMES_US[(raw >> 3) & 0b111],
    mode,
  };
}

/** Time for one averaged result: the conversions the mode makes, times the averages. */
export function ina226ResultTimeUs(config: Ina226Configuration): number {
  const convertsShunt = config.mode.startsWith('shunt');
  const convertsBus = config.mode.startsWith('bus') || config.mode.startsWith('shuntAndBus');
  const perSampleUs =
    (convertsShunt ? config.shuntConversionUs : 0) + (convertsBus ? config.busConversionUs : 0);
  return perSampleUs * config.averages;
}

const SHUNT_RAW_MAX = 0x7fff;
const SHUNT_RAW_MIN = -0x8000;

/** The shunt voltage register (two's complement) in volts. */
export function decodeIna226ShuntVoltage(raw: number): number {
  const signed = raw & 0x8000 ? raw - 0x10000 : raw;
  return signed * INA226_SHUNT_LSB_V;
}

/** The register value the chip shows for `volts` across the shunt, clipped at ±81.92 mV. */
export function encodeIna226ShuntVoltage(volts: number): number {
  const counts = Math.max(SHUNT_RAW_MIN, Math.min(SHUNT_RAW_MAX, Math.round(volts / INA226_SHUNT_LSB_V)));
  return counts & 0xffff;
}

/** True when the shunt register is at either end of its range: the true voltage may be beyond it. */
export function isIna226ShuntAtLimit(raw: number): boolean {
  return raw === SHUNT_RAW_MAX || raw === 0x8000;
}

/** The bus voltage register in volts (bit 15 is always 0). */
export function decodeIna226BusVoltage(raw: number): number {
  return (raw & 0x7fff) * INA226_BUS_LSB_V;
}

/** The register value the chip shows for `volts` on VBUS, clipped at 0..40.96 V. */
export function encodeIna226BusVoltage(volts: number): number {
  return Math.max(0, Math.min(0x7fff, Math.round(volts / INA226_BUS_LSB_V)));
}
