import { bmsStatus, moduleStatus } from '@tsbms/bms-core/testing';
import { historySampleOf } from './history-sample';

describe('historySampleOf', () => {
  it("takes the pack's quantities, every answering module's cells by place and thermistors, limits and contactors", () => {
    const status = bmsStatus({
      timestampMs: 1000,
      modules: [
        moduleStatus({
          address: 1,
          stringIndex: 0,
          cellsV: [3.9, 3.91, 3.92, 3.93, 3.94, 3.95],
          temperaturesC: [21, null],
        }),
        {
          ...moduleStatus({
            address: 2,
            stringIndex: 0,
            cellsV: [3.8, 3.8, 3.8, 3.8, 3.8, 3.8],
            temperaturesC: [30, 31],
          }),
          commsOk: false,
        },
      ],
      packVoltageV: 47.1,
      currentA: null,
      socPercent: 55,
    });
    const sample = historySampleOf(status);
    expect(sample).toMatchObject({
      atMs: 1000,
      series: { packVoltageV: [47.1], currentA: [], socPercent: [55], temperatureC: [21] },
      limits: { cvlV: 49.2, cclA: 100, dclA: 100 },
      contactorState: 'CLOSED',
    });
    expect(sample?.cellsV).toEqual({ M1C1: 3.9, M1C2: 3.91, M1C3: 3.92, M1C4: 3.93, M1C5: 3.94, M1C6: 3.95 });
  });

  it('is null before the first scan', () => {
    expect(
      historySampleOf(
        bmsStatus({ timestampMs: null, modules: [], packVoltageV: null, currentA: null, socPercent: null }),
      ),
    ).toBeNull();
  });
});
