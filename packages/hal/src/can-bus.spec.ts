import { assertSendableCanFrame, CanBusError } from './can-bus';

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
});
