import { assertSendableCanFrame, CanBusError, MAX_STANDARD_CAN_ID, validateMaxSendId } from './can-bus';

describe('assertSendableCanFrame', () => {
  it('accepts 11-bit ids up to 0x3FF with up to 8 bytes', () => {
    expect(() => assertSendableCanFrame({ id: 0x351, data: new Uint8Array(8) })).not.toThrow();
    expect(() => assertSendableCanFrame({ id: 0x3ff, data: new Uint8Array(0) })).not.toThrow();
  });

  it.each([0x400, 0x751, 0x7ff, 0x18ff50e5, -1, 1.5])('rejects id %s', (id) => {
    let error: unknown;
    try {
      assertSendableCanFrame({ id, data: new Uint8Array(8) }, 'vcan0');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CanBusError);
    expect((error as CanBusError).code).toBe('INVALID_FRAME');
    expect((error as CanBusError).context).toEqual({ iface: 'vcan0', canId: id });
  });

  it('rejects more than 8 data bytes', () => {
    expect(() => assertSendableCanFrame({ id: 0x351, data: new Uint8Array(9) })).toThrow(/9 data bytes/);
  });

  it("a bus without a GX may send up to its limit, never past 0x7FF (an 11-bit id's end)", () => {
    expect(() => assertSendableCanFrame({ id: 0x521, data: new Uint8Array(6) }, 'can1', 0x7ff)).not.toThrow();
    expect(() => assertSendableCanFrame({ id: 0x521, data: new Uint8Array(6) }, 'can1', 0x5ff)).not.toThrow();
    for (const [id, maxId] of [
      [0x600, 0x5ff],
      [0x800, 0x7ff],
      [0x18ff50e5, 0x7ff],
    ]) {
      expect(() => assertSendableCanFrame({ id, data: new Uint8Array(1) }, 'can1', maxId)).toThrow(
        CanBusError,
      );
    }
  });
});

describe('validateMaxSendId', () => {
  it('defaults to the Victron-safe 0x3FF and takes 0x3FF..0x7FF', () => {
    expect(validateMaxSendId(undefined)).toBe(0x3ff);
    expect(validateMaxSendId(MAX_STANDARD_CAN_ID)).toBe(0x7ff);
    for (const bad of [0x3fe, 0x800, 1.5, Number.NaN])
      expect(() => validateMaxSendId(bad)).toThrow(RangeError);
  });
});
