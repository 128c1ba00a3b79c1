import { TeslaProtocolError } from './errors';
import { TESLA_FACTORY_CONFIG } from './registers';
import {
  decodeCovThreshold,
  decodeCuvThreshold,
  decodeOtDelayMs,
  decodeOtThresholds,
  decodeProtectionDelayMs,
  encodeCovThreshold,
  encodeCuvThreshold,
  encodeOtDelayMs,
  encodeOtThresholds,
  encodeProtectionDelayMs,
} from './thresholds';

function configError(fn: () => unknown): TeslaProtocolError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TeslaProtocolError);
    expect((e as TeslaProtocolError).code).toBe('INVALID_CONFIG');
    return e as TeslaProtocolError;
  }
  throw new Error('expected INVALID_CONFIG');
}

describe('threshold encodings (T-18)', () => {
  it('encodes the tsBMS defaults of T-18', () => {
    expect(encodeCovThreshold(4.15 + 0.05)).toBe(0x2c);
    expect(encodeCuvThreshold(3.55 - 0.05)).toBe(0x1c);
    expect(encodeProtectionDelayMs(1000)).toBe(0x8a);
    expect(encodeOtThresholds(65 + 5)).toBe(0x77);
    expect(encodeOtDelayMs(2550)).toBe(0xff);
  });

  it('rounds away from the operating window', () => {
    expect(decodeCovThreshold(encodeCovThreshold(4.21))).toBe(4.25); // over-limit: up
    expect(decodeCovThreshold(encodeCovThreshold(4.2))).toBe(4.2); // exact step stays
    expect(decodeCuvThreshold(encodeCuvThreshold(3.49))).toBe(3.4); // under-limit: down
    expect(decodeCuvThreshold(encodeCuvThreshold(3.5))).toBe(3.5);
    expect(decodeOtThresholds(encodeOtThresholds(66))).toEqual([70, 70]); // over-temperature: up
    expect(decodeOtThresholds(encodeOtThresholds(65))).toEqual([65, 65]);
  });

  it('decodes the Tesla factory values (COV 4.45 V / 100 ms, CUV 1.50 V / 100 ms, OT 65 °C, 2.55 s)', () => {
    const [, , cov, covt, uv, uvt, ot, ott] = TESLA_FACTORY_CONFIG;
    expect(decodeCovThreshold(cov)).toBe(4.45);
    expect(decodeProtectionDelayMs(covt)).toBe(100);
    expect(decodeCuvThreshold(uv)).toBe(1.5);
    expect(decodeProtectionDelayMs(uvt)).toBe(100);
    expect(decodeOtThresholds(ot)).toEqual([65, 65]);
    expect(decodeOtDelayMs(ott)).toBe(2550);
  });

  it('decodes disabled comparators and off nibbles as undefined', () => {
    expect(decodeCovThreshold(0x80 | 0x2c)).toBeUndefined();
    expect(decodeCuvThreshold(0x80 | 0x1c)).toBeUndefined();
    expect(decodeOtThresholds(0x70)).toEqual([undefined, 70]);
    expect(decodeOtThresholds(0x07)).toEqual([70, undefined]);
  });

  it('uses microseconds for sub-100 ms delays, rounding down', () => {
    expect(encodeProtectionDelayMs(0.5)).toBe(0x05);
    expect(decodeProtectionDelayMs(0x05)).toBe(0.5);
    expect(encodeProtectionDelayMs(150)).toBe(0x81);
    expect(decodeProtectionDelayMs(0x9f)).toBe(3100);
  });

  it('round-trips every register step', () => {
    for (let n = 0; n <= 0x3f; n++) expect(encodeCovThreshold(decodeCovThreshold(n) as number)).toBe(n);
    for (let n = 0; n <= 0x1f; n++) expect(encodeCuvThreshold(decodeCuvThreshold(n) as number)).toBe(n);
    for (let n = 1; n <= 11; n++)
      expect(encodeOtThresholds(decodeOtThresholds(n)[0] as number)).toBe((n << 4) | n);
    for (let n = 1; n <= 0x1f; n++)
      expect(encodeProtectionDelayMs(decodeProtectionDelayMs(0x80 | n))).toBe(0x80 | n);
    for (let n = 0; n <= 0xff; n++) expect(encodeOtDelayMs(decodeOtDelayMs(n))).toBe(n);
  });

  it('rejects values the registers cannot hold, with the config path', () => {
    expect(configError(() => encodeCovThreshold(5.2, 'cells.covV')).configPath).toBe('cells.covV');
    configError(() => encodeCovThreshold(1.9));
    configError(() => encodeCovThreshold(Number.NaN));
    configError(() => encodeCuvThreshold(0.6));
    configError(() => encodeCuvThreshold(3.9));
    configError(() => encodeOtThresholds(35));
    configError(() => encodeOtThresholds(91));
    configError(() => encodeProtectionDelayMs(3200));
    configError(() => encodeProtectionDelayMs(-1));
    configError(() => encodeOtDelayMs(2560));
  });
});
