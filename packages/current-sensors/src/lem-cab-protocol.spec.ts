import { CurrentSensorError } from './current-sensor-error';
import { encodeLemCabFrame } from './lem-cab-frames';
import { lemCabProtocol } from './lem-cab-protocol';

const message = (currentMilliA: number, errorCode: number | null = null) =>
  encodeLemCabFrame({ currentMilliA, error: errorCode !== null, errorCode: errorCode ?? 0 });

describe('lemCabProtocol', () => {
  const protocol = lemCabProtocol();

  it('reads the current at 0x3C2 in A, and has no voltage or charge', () => {
    expect(protocol.canIds).toEqual([0x3c2]);
    expect(protocol.read({ id: 0x3c2, data: message(-123456) })).toEqual({
      kind: 'current',
      currentA: -123.456,
      quality: 'good',
    });
    expect(protocol.readsBusVoltage).toBe(false);
    expect(protocol.readsCharge).toBe(false);
    expect(protocol.read({ id: 0x3c3, data: message(1) })).toBeUndefined();
  });

  it('drops a message flagged as an error, whatever current it carries, and says which error', () => {
    expect(protocol.read({ id: 0x3c2, data: message(10000, 0x43) })).toEqual({
      kind: 'dropped',
      reason: 'error flagged: fluxgate not oscillating',
    });
  });

  it('drops a message too short to hold the current and the error byte', () => {
    expect(protocol.read({ id: 0x3c2, data: message(1).subarray(0, 4) })).toMatchObject({ kind: 'dropped' });
  });

  it('reads at the id the sensor was given, and refuses one that is not an 11-bit id', () => {
    expect(lemCabProtocol({ canId: 0x3c0 }).read({ id: 0x3c0, data: message(2000) })).toMatchObject({
      currentA: 2,
    });
    expect(() => lemCabProtocol({ canId: 0x1000 })).toThrow(CurrentSensorError);
    expect(() => lemCabProtocol({ canId: 0x3c2 + 0.5 })).toThrow(/canId must be a CAN id in 0x000..0x7FF/);
  });
});
