/*
 * The ADS1115's registers (TI SBAS444, "Register Map"): 16 bits, most significant byte first. The
 * conversion register is a two's complement code of the input as a fraction of the PGA's full
 * scale. Pure encode/decode, shared by the driver and the emulated chip.
 */

export const ADS1115_REGISTER = { conversion: 0x00, config: 0x01, loThresh: 0x02, hiThresh: 0x03 } as const;

/** Config bit 15 (OS): write 1 to start a single conversion; reads 0 while converting. */
export const ADS1115_OS_BIT = 0x8000;
/** Config bits 1-0 (COMP_QUE) = 11: comparator disabled, the ALERT pin high-impedance. */
const COMPARATOR_DISABLED = 0b11;

/** The input multiplexer (MUX, bits 14-12), in code order. */
export const ADS1115_INPUTS = [
  'ain0-ain1',
  'ain0-ain3',
  'ain1-ain3',
  'ain2-ain3',
  'ain0',
  'ain1',
  'ain2',
  'ain3',
] as const;
export type Ads1115Input = (typeof ADS1115_INPUTS)[number];

/** Full-scale range of the PGA in volts (bits 11-9), in code order (codes 5-7 are all ±0.256 V). */
export const ADS1115_FULL_SCALES_V = [6.144, 4.096, 2.048, 1.024, 0.512, 0.256] as const;
export type Ads1115FullScaleV = (typeof ADS1115_FULL_SCALES_V)[number];

/** Data rates in samples per second (DR, bits 7-5), in code order. */
export const ADS1115_DATA_RATES_SPS = [8, 16, 32, 64, 128, 250, 475, 860] as const;
export type Ads1115DataRateSps = (typeof ADS1115_DATA_RATES_SPS)[number];

export interface Ads1115Configuration {
  readonly input: Ads1115Input;
  readonly fullScaleV: Ads1115FullScaleV;
  readonly continuous: boolean;
  readonly dataRateSps: Ads1115DataRateSps;
}

/** The config register for `config` with the comparator disabled and OS clear. */
export function encodeAds1115Configuration(config: Ads1115Configuration): number {
  const input = ADS1115_INPUTS.indexOf(config.input);
  const gain = ADS1115_FULL_SCALES_V.indexOf(config.fullScaleV);
  const rate = ADS1115_DATA_RATES_SPS.indexOf(config.dataRateSps);
  if (input < 0 || gain < 0 || rate < 0)
    throw new RangeError(`not an ADS1115 configuration: ${JSON.stringify(config)}`);
  return (input << 12) | (gain << 9) | ((config.continuous ? 0 : 1) << 8) | (rate << 5) | COMPARATOR_DISABLED;
}

/** What a config register value selects (the comparator bits and OS aside). */
export function decodeAds1115Configuration(raw: number): Ads1115Configuration {
  return {
    input: ADS1115_INPUTS[(raw >> 12) & 0b111],
    fullScaleV: ADS1115_FULL_SCALES_V[Math.min((raw >> 9) & 0b111, ADS1115_FULL_SCALES_V.length - 1)],
    continuous: ((raw >> 8) & 1) === 0,
    dataRateSps: ADS1115_DATA_RATES_SPS[(raw >> 5) & 0b111],
  };
}

/** The conversion register (two's complement, 32768 codes per full scale) in volts. */
export function decodeAds1115Conversion(raw: number, fullScaleV: Ads1115FullScaleV): number {
  const signed = raw & 0x8000 ? raw - 0x10000 : raw;
  return (signed * fullScaleV) / 0x8000;
}

/** The conversion register the chip shows for `volts`, clipped at the ends of the range. */
export function encodeAds1115Conversion(volts: number, fullScaleV: Ads1115FullScaleV): number {
  const code = Math.max(-0x8000, Math.min(0x7fff, Math.round((volts / fullScaleV) * 0x8000)));
  return code & 0xffff;
}

/** True at either end of the range: the input may be beyond it. */
export function isAds1115ConversionAtLimit(raw: number): boolean {
  return raw === 0x7fff || raw === 0x8000;
}
