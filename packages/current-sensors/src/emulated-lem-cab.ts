import type { CanBus, Clock } from '@tsbms/hal';
import { interval, type Subscription } from 'rxjs';
import { encodeLemCabFrame, LEM_CAB_DEFAULT_CAN_ID } from './lem-cab-frames';

export interface EmulatedLemCabOptions {
  /** Where the sensor sends: a MemoryCanBus node, a SocketCanBus. */
  readonly bus: Pick<CanBus, 'send'>;
  readonly clock: Clock;
  /** Default 0x3C2, the factory id. */
  readonly canId?: number;
  /** Default 10 ms, the period foxBMS expects of a CAB500. */
  readonly intervalMs?: number;
}

const MAX_MILLI_A = 0x7fffffff;

/**
 * A LEM CAB300/CAB500 on CAN, emulated: one current message every `intervalMs` with the current
 * set by {@link setCurrent}, and the error bit with a code while {@link setError} holds one.
 */
export class EmulatedLemCab {
  private currentMilliA = 0;
  private errorCode: number | null = null;
  private failures = 0;
  private readonly ticks: Subscription;

  constructor(private readonly options: EmulatedLemCabOptions) {
    this.ticks = interval(options.intervalMs ?? 10, options.clock).subscribe(() => this.send());
  }

  /** The current through the sensor, in its own direction, to the mA (clipped to the 32-bit field). */
  setCurrent(currentA: number): void {
    this.currentMilliA = Math.max(-MAX_MILLI_A - 1, Math.min(MAX_MILLI_A, Math.round(currentA * 1000)));
  }

  /** A fault (e.g. 0x43, fluxgate not oscillating) reported in every message until `null`. */
  setError(errorCode: number | null): void {
    if (errorCode !== null && !(Number.isInteger(errorCode) && errorCode >= 0 && errorCode <= 0x7f))
      throw new RangeError(`LEM CAB error code ${errorCode} is outside 0..127`);
    this.errorCode = errorCode;
  }

  /** Sends the bus refused (bus closed, transmit queue full). */
  get sendFailures(): number {
    return this.failures;
  }

  stop(): void {
    this.ticks.unsubscribe();
  }

  private send(): void {
    const data = encodeLemCabFrame({
      currentMilliA: this.currentMilliA,
      error: this.errorCode !== null,
      errorCode: this.errorCode ?? 0,
    });
    this.options.bus.send({ id: this.options.canId ?? LEM_CAB_DEFAULT_CAN_ID, data }).catch(() => {
      this.failures++;
    });
  }
}
