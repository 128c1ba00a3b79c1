import { I2cError, type Clock, type CurrentSourceCounters, type Logger } from '@tsbms/hal';
import { exhaustMap, filter, from, interval, share, Subject, takeUntil, type Observable } from 'rxjs';
import { CurrentSensorError } from './current-sensor-error';

export interface SensorPollerOptions<Reading extends object> {
  /** The sensor's description, for log lines: `INA226 at /dev/i2c-1 0x40`. */
  readonly sensor: string;
  readonly intervalMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
  /** One reading of the sensor; rejects when the transfer failed (the reading is then dropped). */
  read(): Promise<Reading>;
}

/**
 * The polling every register-based sensor shares: `read()` every `intervalMs` on the clock, never
 * two at once (a slow bus skips ticks rather than queueing them), from the first subscriber to the
 * last or to `close()`. A failed read is dropped and counted; the outage is logged once when it
 * starts and once when the sensor answers again, so a sensor unplugged for a day logs two lines.
 */
export class SensorPoller<Reading extends object> {
  readonly readings$: Observable<Reading>;
  private readonly closed$ = new Subject<void>();
  private samples = 0;
  private dropped = 0;
  private failing = false;

  constructor(private readonly options: SensorPollerOptions<Reading>) {
    this.readings$ = interval(options.intervalMs, options.clock).pipe(
      exhaustMap(() => from(this.readOnce())),
      filter((reading): reading is Reading => reading !== null),
      takeUntil(this.closed$),
      share(),
    );
  }

  counters(): CurrentSourceCounters {
    return { samples: this.samples, dropped: this.dropped };
  }

  close(): void {
    this.closed$.next();
    this.closed$.complete();
  }

  private async readOnce(): Promise<Reading | null> {
    const { sensor, logger } = this.options;
    try {
      const value = await this.options.read();
      this.samples++;
      if (this.failing) {
        this.failing = false;
        logger.info({ event: 'currentSensor', sensor }, `${sensor} answers again`);
      }
      return value;
    } catch (error) {
      this.dropped++;
      if (!this.failing) {
        this.failing = true;
        const code =
          error instanceof I2cError || error instanceof CurrentSensorError ? error.code : undefined;
        logger.warn(
          { event: 'currentSensor', sensor, code },
          `${sensor}: reading failed, no current until it answers (${(error as Error).message})`,
        );
      }
      return null;
    }
  }
}
