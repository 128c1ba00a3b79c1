import { CurrentSensorError } from './current-sensor-error';
import { encodeIvtSResult, type IvtSChannel, type IvtSResultState } from './ivt-s-frames';
import { ivtSProtocol } from './ivt-s-protocol';

const result = (channel: IvtSChannel, rawValue: number, flags: Partial<IvtSResultState> = {}) =>
  encodeIvtSResult({
    channel,
    messageCounter: 0,
    state: { overcurrent: false, channelError: false, measurementError: false, systemError: false, ...flags },
    rawValue,
  });

describe('ivtSProtocol', () => {
  const protocol = ivtSProtocol();

  it('reads the current at 0x521, U1 at 0x522 as the bus voltage and the As counter at 0x527 by default', () => {
    expect(protocol.canIds).toEqual([0x521, 0x522, 0x527]);
    expect(protocol.read({ id: 0x521, data: result('current', -42500) })).toEqual({
      kind: 'current',
      currentA: -42.5,
      quality: 'good',
    });
    expect(protocol.read({ id: 0x522, data: result('voltage1', 52410) })).toEqual({
      kind: 'busVoltage',
      voltageV: 52.41,
    });
    expect(protocol.read({ id: 0x527, data: result('charge', -9000) })).toEqual({
      kind: 'charge',
      chargeAh: -2.5,
    });
  });

  it('ignores its other results and other nodes’ frames', () => {
    for (const id of [0x523, 0x525, 0x528, 0x3c2, 0x351])
      expect(protocol.read({ id, data: result('current', 1000) })).toBeUndefined();
  });

  it('keeps a current with only the over-current bit good: the bit is a threshold, not an error', () => {
    expect(
      protocol.read({ id: 0x521, data: result('current', 500000, { overcurrent: true }) }),
    ).toMatchObject({
      quality: 'good',
    });
  });

  it('makes a current the shunt calls out of range or imprecise overrange, never good', () => {
    expect(protocol.read({ id: 0x521, data: result('current', 2600000, { channelError: true }) })).toEqual({
      kind: 'current',
      currentA: 2600,
      quality: 'overrange',
    });
  });

  it.each([
    ['a measurement error', { measurementError: true }, /measurement error/],
    [
      'a measurement error with the channel bit',
      { measurementError: true, channelError: true },
      /measurement/,
    ],
    ['a system error', { systemError: true }, /system error/],
  ])('drops a current flagged with %s', (_what, flags, reason) => {
    expect(protocol.read({ id: 0x521, data: result('current', 1000, flags) })).toEqual({
      kind: 'dropped',
      reason: expect.stringMatching(reason),
    });
  });

  it('drops a voltage or charge flagged out of range: those samples carry no quality', () => {
    expect(
      protocol.read({ id: 0x522, data: result('voltage1', 52410, { channelError: true }) }),
    ).toMatchObject({
      kind: 'dropped',
    });
    expect(protocol.read({ id: 0x527, data: result('charge', 1, { channelError: true }) })).toMatchObject({
      kind: 'dropped',
    });
  });

  it('drops a frame whose mux byte is another result than its id carries, or of the wrong length', () => {
    expect(protocol.read({ id: 0x521, data: result('voltage1', 1000) })).toEqual({
      kind: 'dropped',
      reason: 'the mux byte says voltage1, the id is configured for current',
    });
    expect(protocol.read({ id: 0x521, data: result('current', 1000).subarray(0, 4) })).toEqual({
      kind: 'dropped',
      reason: '4 data bytes, a result message has 6',
    });
  });

  it('reads another voltage input as the bus voltage, or none', () => {
    const u2 = ivtSProtocol({ busVoltageChannel: 'voltage2' });
    expect(u2.canIds).toEqual([0x521, 0x523, 0x527]);
    expect(u2.read({ id: 0x523, data: result('voltage2', 400000) })).toEqual({
      kind: 'busVoltage',
      voltageV: 400,
    });
    expect(u2.read({ id: 0x522, data: result('voltage1', 1) })).toBeUndefined();
    const none = ivtSProtocol({ busVoltageChannel: null });
    expect(none.readsBusVoltage).toBe(false);
    expect(none.canIds).toEqual([0x521, 0x527]);
  });

  it('reads at the ids the shunt was given', () => {
    const moved = ivtSProtocol({ canIds: { current: 0x321, voltage1: 0x322, charge: 0x327 } });
    expect(moved.canIds).toEqual([0x321, 0x322, 0x327]);
    expect(moved.read({ id: 0x321, data: result('current', 1500) })).toMatchObject({ currentA: 1.5 });
    expect(moved.read({ id: 0x521, data: result('current', 1500) })).toBeUndefined();
  });

  it.each([
    [{ canIds: { current: 0x800 } }, 'canIds.current'],
    [{ canIds: { charge: -1 } }, 'canIds.charge'],
    [{ canIds: { voltage1: 0x521 } }, 'canIds.voltage1'],
    [{ busVoltageChannel: 'voltage4' as never }, 'busVoltageChannel'],
  ])('refuses %j with INVALID_OPTION naming %s', (options, option) => {
    let thrown: unknown;
    try {
      ivtSProtocol(options);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CurrentSensorError);
    expect(thrown).toMatchObject({ code: 'INVALID_OPTION', context: { sensor: 'IVT-S', option } });
  });
});
