/*
 * The INA228's registers (TI SLYS021A, section 7.6 "Register Maps"): 16-, 24- and 40-bit, sent most
 * significant byte first. The 20-bit results (VSHUNT, VBUS, CURRENT) sit in bits 23-4 of their
 * 24-bit registers, bits 3-0 reading 0. Pure encode/decode; the driver and the emulated chip share
 * them.
 */

export const INA228_REGISTER = {
  configuration: 0x00,
  adcConfiguration: 0x01,
  shuntCalibration: 0x02,
  shuntTempco: 0x03,
  shuntVoltage: 0x04,
  busVoltage: 0x05,
  dieTemperature: 0x06,
  current: 0x07,
  power: 0x08,
  energy: 0x09,
  charge: 0x0a,
  diagnostics: 0x0b,
  manufacturerId: 0x3e,
  deviceId: 0x3f,
} as const;

/** "TI" in ASCII (Table 7-23). */
export const INA228_MANUFACTURER_ID = 0x5449;
/** DEVICE_ID bits 15-4 (DIEID, Table 7-24); bits 3-0 are the revision (1 at the time of writing). */
export const INA228_DEVICE_ID = 0x2280;
export const INA228_DEVICE_ID_MASK = 0xfff0;

/** CONFIG bit 15 (RST): resets every register to its default. */
export const INA228_RESET_BIT = 0x8000;
/** CONFIG bit 14 (RSTACC): clears the ENERGY and CHARGE accumulators. */
export const INA228_RESET_ACCUMULATORS_BIT = 0x4000;

/** DIAG_ALRT bit 10 (CHARGEOF): the 40-bit CHARGE register overflowed; cleared by reading CHARGE. */
export const INA228_CHARGE_OVERFLOW_BIT = 0x0400;
/** DIAG_ALRT bit 9 (MATHOF): a calculation overflowed; current, power and charge may be invalid. */
export const INA228_MATH_OVERFLOW_BIT = 0x0200;
/** DIAG_ALRT at reset: MEMSTAT (bit 0) set, the trim memory's checksum is good. */
export const INA228_DIAGNOSTICS_DEFAULT = 0x0001;

/** Shunt full-scale range by ADCRANGE (CONFIG bit 4): 0 = ±163.84 mV, 1 = ±40.96 mV. */
export const INA228_SHUNT_FULL_SCALES_V = [0.16384, 0.04096] as const;
export type Ina228ShuntFullScaleV = (typeof INA228_SHUNT_FULL_SCALES_V)[number];

/** Bus voltage LSB: 195.3125 µV (Table 7-10, Table 8-1). */
export const INA228_BUS_LSB_V = 195.3125e-6;
/** SHUNT_CAL's scaling constant, Equation 2 (section 8.1.2). */
const SHUNT_CAL_CONSTANT = 13107.2e6;
/** The 20-bit results' range: two's complement, 2^19 codes either side of zero. */
const RESULT_MAX = 0x7ffff;
const RESULT_MIN = -0x80000;

/** Shunt voltage LSB (Table 7-9): 312.5 nV at ±163.84 mV, 78.125 nV at ±40.96 mV. */
export function ina228ShuntLsbV(fullScaleV: Ina228ShuntFullScaleV): number {
  return fullScaleV / 2 ** 19;
}

export interface Ina228Configuration {
  /** CONVDLY (bits 13-6): delay before the first conversion, 0..510 ms in 2 ms steps. */
  readonly conversionDelayMs: number;
  /** TEMPCOMP (bit 5): the chip corrects the shunt's temperature drift (SHUNT_TEMPCO). */
  readonly temperatureCompensation: boolean;
  /** ADCRANGE (bit 4). */
  readonly shuntFullScaleV: Ina228ShuntFullScaleV;
}

/** The CONFIG register for `config`, RST and RSTACC clear. */
export function encodeIna228Configuration(config: Ina228Configuration): number {
  const delaySteps = config.conversionDelayMs / 2;
  const range = INA228_SHUNT_FULL_SCALES_V.indexOf(config.shuntFullScaleV);
  if (!Number.isInteger(delaySteps) || delaySteps < 0 || delaySteps > 0xff || range < 0)
    throw new RangeError(`not an INA228 configuration: ${JSON.stringify(config)}`);
  return (delaySteps << 6) | ((config.temperatureCompensation ? 1 : 0) << 5) | (range << 4);
}

/** What a CONFIG value selects (RST, RSTACC and the reserved bits aside). */
export function decodeIna228Configuration(raw: number): Ina228Configuration {
  return {
    conversionDelayMs: ((raw >> 6) & 0xff) * 2,
    temperatureCompensation: ((raw >> 5) & 1) === 1,
    shuntFullScaleV: INA228_SHUNT_FULL_SCALES_V[(raw >> 4) & 1],
  };
}

/**
 * ADC_CONFIG's MODE (bits 15-12). The low three bits say what is converted: bit 0 the bus, bit 1
 * the shunt, bit 2 the temperature; bit 3 continuous rather than once. 0x8 is a second shutdown.
 */
export const INA228_MODES = {
  shutdown: 0x0,
  busTriggered: 0x1,
  shuntTriggered: 0x2,
  shuntAndBusTriggered: 0x3,
  temperatureTriggered: 0x4,
  temperatureAndBusTriggered: 0x5,
  temperatureAndShuntTriggered: 0x6,
  allTriggered: 0x7,
  busContinuous: 0x9,
  shuntContinuous: 0xa,
  shuntAndBusContinuous: 0xb,
  temperatureContinuous: 0xc,
  temperatureAndBusContinuous: 0xd,
  temperatureAndShuntContinuous: 0xe,
  allContinuous: 0xf,
} as const;
export type Ina228Mode = keyof typeof INA228_MODES;

/** Conversion times in µs (VBUSCT bits 11-9, VSHCT bits 8-6, VTCT bits 5-3), in code order. */
export const INA228_CONVERSION_TIMES_US = [50, 84, 150, 280, 540, 1052, 2074, 4120] as const;
export type Ina228ConversionTimeUs = (typeof INA228_CONVERSION_TIMES_US)[number];
/** Samples averaged per result (AVG, bits 2-0), in code order. */
export const INA228_AVERAGES = [1, 4, 16, 64, 128, 256, 512, 1024] as const;
export type Ina228Averages = (typeof INA228_AVERAGES)[number];

export interface Ina228AdcConfiguration {
  readonly mode: Ina228Mode;
  readonly busConversionUs: Ina228ConversionTimeUs;
  readonly shuntConversionUs: Ina228ConversionTimeUs;
  readonly temperatureConversionUs: Ina228ConversionTimeUs;
  readonly averages: Ina228Averages;
}

/** The ADC_CONFIG register for `config`. */
export function encodeIna228AdcConfiguration(config: Ina228AdcConfiguration): number {
  const mode = INA228_MODES[config.mode] as number | undefined;
  const codes = [config.busConversionUs, config.shuntConversionUs, config.temperatureConversionUs].map((us) =>
    INA228_CONVERSION_TIMES_US.indexOf(us),
  );
  const averages = INA228_AVERAGES.indexOf(config.averages);
  if (mode === undefined || codes.some((code) => code < 0) || averages < 0)
    throw new RangeError(`not an INA228 ADC configuration: ${JSON.stringify(config)}`);
  return (mode << 12) | (codes[0] << 9) | (codes[1] << 6) | (codes[2] << 3) | averages;
}

/** What an ADC_CONFIG value selects (MODE 0x8, the second shutdown, reads as `shutdown`). */
export function decodeIna228AdcConfiguration(raw: number): Ina228AdcConfiguration {
  const modeCode = (raw >> 12) & 0xf;
  const mode = (Object.keys(INA228_MODES) as Ina228Mode[]).find(
    (name) => INA228_MODES[name] === (modeCode === 0x8 ? 0 : modeCode),
  ) as Ina228Mode;
  return {
    mode,
    busConversionUs: INA228_CONVERSION_TIMES_US[(raw >> 9) & 0b111],
    shuntConversionUs: INA228_CONVERSION_TIMES_US[(raw >> 6) & 0b111],
    temperatureConversionUs: INA228_CONVERSION_TIMES_US[(raw >> 3) & 0b111],
    averages: INA228_AVERAGES[raw & 0b111],
  };
}

/** Time for one averaged result: the inputs the mode converts, one after the other, times the averages. */
export function ina228ResultTimeUs(config: Ina228AdcConfiguration): number {
  const inputs = INA228_MODES[config.mode];
  const perSampleUs =
    (inputs & 0b001 ? config.busConversionUs : 0) +
    (inputs & 0b010 ? config.shuntConversionUs : 0) +
    (inputs & 0b100 ? config.temperatureConversionUs : 0);
  return perSampleUs * config.averages;
}

/** A 20-bit result (VSHUNT, VBUS, CURRENT) from its three register bytes, as a signed count. */
export function decodeIna228Result(bytes: Uint8Array): number {
  const raw = ((bytes[0] << 16) | (bytes[1] << 8) | bytes[2]) >> 4;
  return raw & 0x80000 ? raw - 0x100000 : raw;
}

/** The three register bytes of a 20-bit result, clipped to the register's range as the ADC clips. */
export function encodeIna228Result(count: number): Uint8Array {
  const clipped = Math.max(RESULT_MIN, Math.min(RESULT_MAX, Math.round(count)));
  const raw = (clipped & 0xfffff) << 4;
  return Uint8Array.of(raw >> 16, (raw >> 8) & 0xff, raw & 0xff);
}

/** True at either end of the 20-bit range: the ADC was saturated, the true value may be beyond it. */
export function isIna228ResultAtLimit(bytes: Uint8Array): boolean {
  const count = decodeIna228Result(bytes);
  return count === RESULT_MAX || count === RESULT_MIN;
}

/** VSHUNT in volts. */
export function decodeIna228ShuntVoltage(bytes: Uint8Array, fullScaleV: Ina228ShuntFullScaleV): number {
  return decodeIna228Result(bytes) * ina228ShuntLsbV(fullScaleV);
}

/** The VSHUNT bytes the chip shows for `volts` across the shunt, clipped at the range's ends. */
export function encodeIna228ShuntVoltage(volts: number, fullScaleV: Ina228ShuntFullScaleV): Uint8Array {
  return encodeIna228Result(volts / ina228ShuntLsbV(fullScaleV));
}

/** VBUS in volts (two's complement, "however always positive"). */
export function decodeIna228BusVoltage(bytes: Uint8Array): number {
  return decodeIna228Result(bytes) * INA228_BUS_LSB_V;
}

/** The VBUS bytes the chip shows for `volts`, clipped at 0..102.4 V (the pin is rated 85 V). */
export function encodeIna228BusVoltage(volts: number): Uint8Array {
  return encodeIna228Result(Math.max(0, volts / INA228_BUS_LSB_V));
}

const CHARGE_RANGE = 2 ** 40;

/** The 40-bit two's complement CHARGE register as a count of CURRENT_LSB coulombs. */
export function decodeIna228Charge(bytes: Uint8Array): number {
  // Five bytes exceed JavaScript's 32-bit bitwise operators: multiply instead of shifting.
  const raw = bytes.reduce((value, byte) => value * 256 + byte, 0);
  return raw >= CHARGE_RANGE / 2 ? raw - CHARGE_RANGE : raw;
}

/** The five CHARGE bytes for a count, wrapping as the register does on overflow. */
export function encodeIna228Charge(count: number): Uint8Array {
  let raw = ((Math.round(count) % CHARGE_RANGE) + CHARGE_RANGE) % CHARGE_RANGE;
  const bytes = new Uint8Array(5);
  for (let i = 4; i >= 0; i--) {
    bytes[i] = raw % 256;
    raw = Math.floor(raw / 256);
  }
  return bytes;
}

/** CHARGE in coulombs (Equation 7): the count times CURRENT_LSB. */
export function decodeIna228ChargeC(bytes: Uint8Array, currentLsbA: number): number {
  return decodeIna228Charge(bytes) * currentLsbA;
}

const shuntCalScale = (shuntOhm: number, fullScaleV: Ina228ShuntFullScaleV): number =>
  SHUNT_CAL_CONSTANT * shuntOhm * (fullScaleV === INA228_SHUNT_FULL_SCALES_V[1] ? 4 : 1);

/**
 * SHUNT_CAL for a CURRENT_LSB (Equation 2, ×4 at ±40.96 mV), rounded to the register's integer;
 * RangeError beyond its 15 bits.
 */
export function encodeIna228ShuntCalibration(
  currentLsbA: number,
  shuntOhm: number,
  fullScaleV: Ina228ShuntFullScaleV,
): number {
  const value = Math.round(currentLsbA * shuntCalScale(shuntOhm, fullScaleV));
  if (value < 1 || value > 0x7fff)
    throw new RangeError(`SHUNT_CAL ${value} for CURRENT_LSB ${currentLsbA} A is outside 1..0x7fff`);
  return value;
}

/** The CURRENT_LSB (amperes per count of CURRENT, coulombs per count of CHARGE) a SHUNT_CAL gives. */
export function decodeIna228CurrentLsbA(
  shuntCalibration: number,
  shuntOhm: number,
  fullScaleV: Ina228ShuntFullScaleV,
): number {
  return (shuntCalibration & 0x7fff) / shuntCalScale(shuntOhm, fullScaleV);
}
