import { Subject } from 'rxjs';
import type { BmsStatus } from '@tsbms/bms-core';
import { bmsStatus, moduleStatus } from '@tsbms/bms-core/testing';
import type { FaultEvent } from '@tsbms/fault-engine';
import { DEFAULT_HISTORY_TIERS, type HistoryRow } from './downsample';
import { recordHistory } from './history-recorder';
import type { HistorySample } from './history-sample';
import type { HistoryEvent } from './sqlite-history-store';

const T0 = Date.UTC(2026, 11, 5);

function scanAt(atS: number, state: BmsStatus['contactors']['state'] = 'CLOSED'): BmsStatus {
  return bmsStatus({
    timestampMs: T0 + atS * 1000,
    modules: [
      moduleStatus({
        address: 1,
        stringIndex: 0,
        cellsV: [3.9, 3.9, 3.9, 3.9, 3.9, 3.9],
        temperaturesC: [20, 21],
      }),
    ],
    packVoltageV: 23.4,
    currentA: -5,
    socPercent: 60,
    contactors: {
      state,
      // The sequence keeps the last opening's reason while closed: `startup` from the first close.
      openReason: state === 'OPEN' ? 'fault' : 'startup',
      relays: { negative: false, precharge: false, positive: false },
    },
  });
}

function recorder() {
  const status$ = new Subject<BmsStatus>();
  const faultEvents$ = new Subject<FaultEvent>();
  const scans: HistorySample[] = [];
  const rows: HistoryRow[] = [];
  const events: HistoryEvent[] = [];
  const recording = recordHistory(
    { status$, faultEvents$ },
    {
      addScan: (sample) => scans.push(sample),
      addRow: (row) => rows.push(row),
      addEvent: (event) => events.push(event),
    },
  );
  return { status$, faultEvents$, scans, rows, events, recording };
}

describe('recordHistory', () => {
  it('writes each tier’s row when its bucket is complete, and nothing of the bucket still open', () => {
    const h = recorder();
    for (let atS = 0; atS <= 130; atS += 5) h.status$.next(scanAt(atS));
    const counts = DEFAULT_HISTORY_TIERS.map((tier) => h.rows.filter((row) => row.tier === tier.name).length);
    // 10 s buckets complete up to 120 s: 13; 1 min buckets up to 120 s: 2; no 15 min bucket yet.
    expect(counts).toEqual([13, 2, 0]);
    expect(h.rows[0]).toMatchObject({ tier: '10s', startMs: T0, samples: 2, contactorState: 'CLOSED' });
    h.recording.unsubscribe();
    h.status$.next(scanAt(200));
    expect(h.rows.length).toBe(15);
  });

  it('hands every scan to the scan ring as it is, and none before the first scan', () => {
    const h = recorder();
    h.status$.next({ ...scanAt(0), timestampMs: null });
    for (const atS of [0, 1, 2]) h.status$.next(scanAt(atS));
    expect(h.scans.map((sample) => sample.atMs - T0)).toEqual([0, 1000, 2000]);
    expect(h.scans[2]).toMatchObject({
      series: { packVoltageV: [23.4], currentA: [-5] },
      contactorState: 'CLOSED',
    });
    expect(Object.keys(h.scans[2].cellsV)).toHaveLength(6);
  });

  it('keeps every fault event and every change of the contactors’ state', () => {
    const h = recorder();
    h.status$.next(scanAt(0));
    h.status$.next(scanAt(4));
    h.faultEvents$.next({
      type: 'raise',
      timestampMs: T0 + 5000,
      kind: 'cellOverVoltage',
      level: 'fault',
      location: { moduleAddress: 1, cellIndex: 2 },
      value: 4.21,
      source: 'engine',
      latched: true,
    });
    h.status$.next(scanAt(8, 'OPEN'));
    h.status$.next(scanAt(12, 'OPEN'));
    expect(h.events).toEqual([
      { atMs: T0, kind: 'contactors', detail: { state: 'CLOSED', openReason: null } },
      {
        atMs: T0 + 5000,
        kind: 'raise',
        detail: {
          kind: 'cellOverVoltage',
          level: 'fault',
          location: { moduleAddress: 1, cellIndex: 2 },
          value: 4.21,
          latched: true,
          source: 'engine',
        },
      },
      { atMs: T0 + 8000, kind: 'contactors', detail: { state: 'OPEN', openReason: 'fault' } },
    ]);
  });
});
