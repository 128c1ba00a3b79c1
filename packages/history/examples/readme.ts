import { from, toArray, lastValueFrom } from 'rxjs';
import { bmsStatus, moduleStatus } from '@tsbms/bms-core/testing';
import { DEFAULT_HISTORY_TIERS, downsampleTo, historySampleOf, type HistorySample } from '@tsbms/history';

// Three scans 4 s apart, as the core reports them, become samples ...
const samples = [0, 4, 8].map((atS) =>
  historySampleOf(
    bmsStatus({
      timestampMs: Date.UTC(2026, 11, 5) + atS * 1000,
      modules: [
        moduleStatus({
          address: 1,
          stringIndex: 0,
          cellsV: [4, 4, 4, 4, 4, 4.01 + atS / 1000],
          temperaturesC: [21, 22],
        }),
      ],
      packVoltageV: 24 + atS / 100,
      currentA: -8,
      socPercent: 71,
    }),
  ),
) as HistorySample[];

// ... and one 10 s row with min, max and mean of each series and cell.
async function main(): Promise<void> {
  const [row] = await lastValueFrom(from(samples).pipe(downsampleTo(DEFAULT_HISTORY_TIERS[0]), toArray()));
  console.log(`${row.tier} ${new Date(row.startMs).toISOString()}: ${row.samples} samples`);
  console.log(`pack ${JSON.stringify(row.series.packVoltageV)}`);
  console.log(`M1C6 ${JSON.stringify(row.cellsV.M1C6)}`);
}

void main();
// → 10s 2026-12-05T00:00:00.000Z: 3 samples
// → pack {"min":24,"max":24.08,"mean":24.040000000000003}
// → M1C6 {"min":4.01,"max":4.018,"mean":4.013999999999999}
