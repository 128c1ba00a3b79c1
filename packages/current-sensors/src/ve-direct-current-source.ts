import {
  requireByteLink,
  requireClock,
  requireObject,
  type ByteLink,
  type ChargeSample,
  type Clock,
  type CurrentSample,
  type CurrentSource,
  type CurrentSourceCounters,
  type VoltageSample,
} from '@tsbms/hal';
import { filter, map, mergeMap, share, type Observable } from 'rxjs';
import { VeDirectTextParser, type VeDirectBlock } from './ve-direct-text';

/** What a battery monitor's main block says, in SI units; null where a field is absent or not a number. */
export interface VeDirectBatteryReading {
  /** Field `PID`, e.g. `0xA389` (SmartShunt 500 A / 50 mV). */
  readonly productId: string | null;
  /** `V`, mV → V. */
  readonly voltageV: number | null;
  /** `I`, mA → A, positive = charging. */
  readonly currentA: number | null;
  /** `CE`, consumed mAh → net Ah into the battery since the monitor's last sync (≤ 0). */
  readonly chargeAh: number | null;
  /** `SOC`, ‰ → %. */
  readonly socPercent: number | null;
}

/** An integer field in its unit; null when absent or not a plain integer (`---` while unknown). */
function integerField(block: VeDirectBlock, label: string): number | null {
  const text = block.get(label);
  return text !== undefined && /^-?\d{1,10}$/.test(text) ? Number(text) : null;
}

/** The battery-monitor fields of a block (BMV, SmartShunt); a history block gives all nulls. */
export function decodeVeDirectBatteryBlock(block: VeDirectBlock): VeDirectBatteryReading {
  // Divided, not multiplied by 0.001: 52410 / 1000 is 52.41 exactly as a double, × 0.001 is not.
  const scaled = (label: string, divisor: number) => {
    const value = integerField(block, label);
    return value === null ? null : value / divisor;
  };
  return {
    productId: block.get('PID') ?? null,
    voltageV: scaled('V', 1000),
    currentA: scaled('I', 1000),
    chargeAh: scaled('CE', 1000),
    socPercent: scaled('SOC', 10),
  };
}

export interface VeDirectCurrentSourceOptions {
  /** The VE.Direct port: a SerialByteLink at 19200 baud (a VE.Direct-USB cable is an FTDI). */
  readonly link: ByteLink;
  readonly clock: Clock;
  /** For messages; default `VE.Direct at <the link's description>`. */
  readonly description?: string;
}

/**
 * A Victron battery monitor (SmartShunt, BMV-70x/71x) on VE.Direct as a {@link CurrentSource}: one
 * sample per main block (about 1 s apart), stamped when the block's checksum arrives. Blocks
 * that do not add up are dropped and counted; a block without a numeric `I` gives no sample.
 * `batteryVoltage$` is the monitor's main voltage, measured at the battery's terminals: not a
 * `busVoltage$`, because it is never the link's side of the contactors that precharge must check.
 * `chargeAh$` is its consumed-Ah counter.
 */
export class VeDirectCurrentSource implements CurrentSource {
  readonly description: string;
  readonly current$: Observable<CurrentSample>;
  readonly batteryVoltage$: Observable<VoltageSample>;
  readonly chargeAh$: Observable<ChargeSample>;
  private readonly parser = new VeDirectTextParser();
  private readonly link: ByteLink;
  private samples = 0;
  private withoutCurrent = 0;

  constructor(options: VeDirectCurrentSourceOptions) {
    requireObject(options, 'options', 'VE.Direct options ({ link, clock })');
    requireByteLink(options.link, 'options.link');
    requireClock(options.clock, 'options.clock');
    const { link, clock } = options;
    this.link = link;
    this.description = options.description ?? 'VE.Direct battery monitor';
    const readings$ = link.data$.pipe(
      mergeMap((bytes) => this.parser.push(bytes)),
      map((block) => ({ timeMs: clock.now(), reading: decodeVeDirectBatteryBlock(block) })),
      share(),
    );
    this.current$ = readings$.pipe(
      filter(({ reading }) => {
        // History blocks carry no battery fields: only a main block without a current is a drop.
        if (reading.currentA === null && reading.voltageV !== null) this.withoutCurrent++;
        return reading.currentA !== null;
      }),
      map(({ timeMs, reading }) => {
        this.samples++;
        return { timeMs, currentA: reading.currentA as number, quality: 'good' as const };
      }),
      share(),
    );
    this.batteryVoltage$ = readings$.pipe(
      mergeMap(({ timeMs, reading }) =>
        reading.voltageV === null ? [] : [{ timeMs, voltageV: reading.voltageV }],
      ),
    );
    this.chargeAh$ = readings$.pipe(
      mergeMap(({ timeMs, reading }) =>
        reading.chargeAh === null ? [] : [{ timeMs, chargeAh: reading.chargeAh }],
      ),
    );
  }

  counters(): CurrentSourceCounters {
    const { checksumErrors, malformedBlocks } = this.parser.counters();
    return { samples: this.samples, dropped: checksumErrors + malformedBlocks + this.withoutCurrent };
  }

  /** The parser's own counts (blocks, checksum errors, malformed blocks, HEX messages). */
  parserCounters() {
    return this.parser.counters();
  }

  close(): Promise<void> {
    return this.link.close();
  }
}
