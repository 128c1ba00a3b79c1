import type { ByteLink, Clock } from '@tsbms/hal';
import { interval, type Subscription } from 'rxjs';
import { encodeVeDirectBlock } from './ve-direct-text';

/** What the emulated monitor measures at a moment: the battery's current and voltage. */
export interface MonitoredBattery {
  readonly currentA: number;
  readonly voltageV: number;
}

export interface EmulatedVeDirectMonitorOptions {
  /** Where the monitor sends: one end of a pty pair, or a memory link. */
  readonly link: ByteLink;
  readonly clock: Clock;
  /** Read once per block. */
  readonly battery: () => MonitoredBattery;
  /** Default 1000 ms, as a SmartShunt sends. */
  readonly intervalMs?: number;
}

/**
 * A Victron SmartShunt 500A/50mV on VE.Direct, emulated: a main block every second with `V`, `I`,
 * `P` and the consumed Ah (`CE`) it counts itself from the current it reports, for the emulator
 * app's `--smartshunt` and for tests.
 */
export class EmulatedVeDirectMonitor {
  private consumedAh = 0;
  private lastMs: number | null = null;
  private lastCurrentA = 0;
  private readonly ticks: Subscription;

  constructor(private readonly options: EmulatedVeDirectMonitorOptions) {
    this.ticks = interval(options.intervalMs ?? 1000, options.clock).subscribe(() => this.send());
  }

  stop(): void {
    this.ticks.unsubscribe();
  }

  private send(): void {
    const { currentA, voltageV } = this.options.battery();
    const now = this.options.clock.now();
    if (this.lastMs !== null)
      this.consumedAh += ((currentA + this.lastCurrentA) / 2) * ((now - this.lastMs) / 3_600_000);
    this.lastMs = now;
    this.lastCurrentA = currentA;
    const block = encodeVeDirectBlock([
      ['PID', '0xA389'],
      ['V', String(Math.round(voltageV * 1000))],
      ['I', String(Math.round(currentA * 1000))],
      ['P', String(Math.round(currentA * voltageV))],
      ['CE', String(Math.round(this.consumedAh * 1000))],
      ['SOC', '---'],
      ['TTG', '-1'],
      ['Alarm', 'OFF'],
      ['Relay', 'OFF'],
      ['AR', '0'],
      ['BMV', 'SmartShunt 500A/50mV'],
      ['FW', '0413'],
      ['MON', '0'],
    ]);
    // A monitor whose cable is out just talks to nobody.
    this.options.link.write(block).catch(() => undefined);
  }
}
