import fc from 'fast-check';
import { formatCandumpLine, parseCandumpLine } from './candump-log';

describe('parseCandumpLine', () => {
  it('reads a candump -L line: time, interface, id and bytes', () => {
    const record = parseCandumpLine('(1763935200.125000) vcan0 351#EC01E803E803B001');
    expect(record).toEqual({
      timestampS: 1763935200.125,
      iface: 'vcan0',
      frame: { id: 0x351, data: Uint8Array.from([0xec, 0x01, 0xe8, 0x03, 0xe8, 0x03, 0xb0, 0x01]) },
      extended: false,
      remote: false,
    });
  });

  it('reads empty, short, extended and remote frames', () => {
    expect(parseCandumpLine('(1.000001) can0 000#')?.frame.data).toEqual(new Uint8Array(0));
    expect(parseCandumpLine('(1.5) can0 356#8E14F9FFB400')?.frame.data).toHaveLength(6);
    expect(parseCandumpLine('(1.5) can0 18FF50E5#01')).toMatchObject({
      extended: true,
      frame: { id: 0x18ff50e5 },
    });
    expect(parseCandumpLine('(1.5) can0 305#R')).toMatchObject({ remote: true, frame: { id: 0x305 } });
  });

  it.each([
    '',
    'garbage',
    'vcan0  351   [8]  EC 01 E8 03 E8 03 B0 01',
    '(1.5) vcan0 351#EC0',
    '(1.5) vcan0 3511#00',
    '(1.5) vcan0 351##0112233',
    '(1.5) vcan0 351#000102030405060708',
  ])('returns null for %j', (line) => {
    expect(parseCandumpLine(line)).toBeNull();
  });

  it('round-trips any standard frame through formatCandumpLine (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0x7ff }),
        fc.uint8Array({ maxLength: 8 }),
        fc.integer({ min: 0, max: 2e9 }),
        fc.integer({ min: 0, max: 999_999 }),
        (id, data, seconds, micros) => {
          const timestampS = seconds + micros / 1e6;
          const record = parseCandumpLine(formatCandumpLine(timestampS, 'can0', { id, data }));
          expect(record?.frame).toEqual({ id, data });
          expect(record?.timestampS).toBeCloseTo(timestampS, 5);
        },
      ),
    );
  });
});
