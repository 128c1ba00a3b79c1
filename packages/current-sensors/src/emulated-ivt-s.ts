import type { CanBus, Clock } from '@tsbms/hal';
import { interval, Subscription } from 'rxjs';
import {
  encodeIvtSResult,
  IVT_S_COUNTS_PER_UNIT,
  IVT_S_DEFAULT_CAN_IDS,
  type IvtSResultState,
} from './ivt-s-frames';
import type { IvtSReadChannel, IvtSVoltageChannel } from './ivt-s-protocol';

export interface EmulatedIvtSOptions {
  /** Where the shunt sends; with the factory ids (0x521…) a bus with `maxSendId: 0x7ff` (V-1 keeps 0x3FF by default). */
  readonly bus: Pick<CanBus, 'send'>;
  readonly clock: Clock;
  /** Ids given to the shunt, where they differ from 0x521…. */
  readonly canIds?: Partial<Record<IvtSReadChannel, number>>;
  /**
   * The cycle time of each result; a result not listed is not sent. Default the datasheet's
   * factory setting: the current every 20 ms, U1..U3 every 60 ms, the As counter disabled.
   */
  readonly cycleTimesMs?: Partial<Record<IvtSReadChannel, number>>;
}

/** The datasheet's default parameters: I cyclic 20 ms, U1..U3 cyclic 60 ms, T, W, As and Wh disabled. */
const FACTORY_CYCLE_TIMES_MS: Partial<Record<IvtSReadChannel, number>> = {
  current: 20,
  voltage1: 60,
  voltage2: 60,
  voltage3: 60,
};
const NO_FLAGS: IvtSResultState = {
  overcurrent: false,
  channelError: false,
  measurementError: false,
  systemError: false,
};
const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

/**
 * An Isabellenhütte IVT-S in cyclic mode, emulated: each enabled result message on its own cycle,
 * with its own 4-bit counter. The current and the voltages are set; the As counter integrates the
 * current the shunt was given, as the real one counts what it measures. {@link setState} sets the
 * state bits of every following result, for error tests.
 */
export class EmulatedIvtS {
  private currentA = 0;
  private readonly voltagesV: Record<IvtSVoltageChannel, number> = { voltage1: 0, voltage2: 0, voltage3: 0 };
  private chargeAs = 0;
  private chargedUntilMs: number;
  private state: IvtSResultState = NO_FLAGS;
  private readonly counters = new Map<IvtSReadChannel, number>();
  private failures = 0;
  private readonly cycles = new Subscription();

  constructor(private readonly options: EmulatedIvtSOptions) {
    this.chargedUntilMs = options.clock.now();
    const cycleTimes = Object.entries(options.cycleTimesMs ?? FACTORY_CYCLE_TIMES_MS) as [
      IvtSReadChannel,
      number,
    ][];
    for (const [channel, cycleMs] of cycleTimes)
      this.cycles.add(interval(cycleMs, options.clock).subscribe(() => this.send(channel)));
  }

  /** The current through the shunt, in A. */
  setCurrent(currentA: number): void {
    this.integrateCharge();
    this.currentA = currentA;
  }

  setVoltage(channel: IvtSVoltageChannel, voltageV: number): void {
    this.voltagesV[channel] = voltageV;
  }

  /** The state bits of every result sent from now on; `{}` clears them. */
  setState(state: Partial<IvtSResultState>): void {
    this.state = { ...NO_FLAGS, ...state };
  }

  /** Sends the bus refused: INVALID_FRAME for an id a hal CanBus may not send, bus closed. */
  get sendFailures(): number {
    return this.failures;
  }

  stop(): void {
    this.cycles.unsubscribe();
  }

  private integrateCharge(): void {
    const now = this.options.clock.now();
    this.chargeAs += (this.currentA * (now - this.chargedUntilMs)) / 1000;
    this.chargedUntilMs = now;
  }

  /** The result in the channel's counts: mA, mV or As. */
  private countsOf(channel: IvtSReadChannel): number {
    if (channel === 'charge') {
      this.integrateCharge();
      return Math.round(this.chargeAs);
    }
    const value = channel === 'current' ? this.currentA : this.voltagesV[channel];
    return Math.round(value * IVT_S_COUNTS_PER_UNIT[channel]);
  }

  private send(channel: IvtSReadChannel): void {
    const counter = this.counters.get(channel) ?? 0;
    this.counters.set(channel, (counter + 1) % 16);
    const data = encodeIvtSResult({
      channel,
      messageCounter: counter,
      state: this.state,
      rawValue: Math.max(INT32_MIN, Math.min(INT32_MAX, this.countsOf(channel))),
    });
    const id = this.options.canIds?.[channel] ?? IVT_S_DEFAULT_CAN_IDS[channel];
    this.options.bus.send({ id, data }).catch(() => {
      this.failures++;
    });
  }
}
