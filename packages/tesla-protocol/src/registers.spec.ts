import {
  cellRegister,
  isProtectedRegister,
  Register,
  registerName,
  SCAN_BLOCK_LENGTH,
  TESLA_FACTORY_CONFIG,
} from './registers';

describe('register map', () => {
  it('places the six cells two bytes apart from 0x03 and the scan block ends at TEMPERATURE2', () => {
    expect([0, 1, 2, 3, 4, 5].map(cellRegister)).toEqual([
      Register.VCELL1,
      Register.VCELL2,
      Register.VCELL3,
      Register.VCELL4,
      Register.VCELL5,
      Register.VCELL6,
    ]);
    expect(Register.TEMPERATURE2 + 2).toBe(SCAN_BLOCK_LENGTH);
  });

  it('names registers for messages', () => {
    expect(registerName(0x3b)).toBe('ADDRESS_CONTROL');
    expect(registerName(0x2f)).toBe('0x2f');
  });

  it('knows the protected group-3 range', () => {
    expect(isProtectedRegister(0x3f)).toBe(false);
    expect(isProtectedRegister(0x40)).toBe(true);
    expect(isProtectedRegister(0x4f)).toBe(true);
    expect(isProtectedRegister(0x50)).toBe(false);
  });

  it('has the Tesla factory configuration', () => {
    expect(TESLA_FACTORY_CONFIG).toEqual([0x10, 0x80, 0x31, 0x81, 0x08, 0x81, 0x66, 0xff]);
  });
});
