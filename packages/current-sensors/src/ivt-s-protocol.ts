import type { CanFrame } from '@tsbms/hal';
import {
  hexCanId,
  requireStandardCanId,
  type CanShuntProtocol,
  type CanShuntReading,
} from './can-shunt-protocol';
import { CurrentSensorError, requireOneOf } from './current-sensor-error';
import {
  decodeIvtSResult,
  IVT_S_COUNTS_PER_UNIT,
  IVT_S_DEFAULT_CAN_IDS,
  type IvtSResultFrame,
} from './ivt-s-frames';

export type IvtSVoltageChannel = 'voltage1' | 'voltage2' | 'voltage3';
/** The results tsBMS reads: the current, the link voltage and the charge counter. */
export type IvtSReadChannel = 'current' | IvtSVoltageChannel | 'charge';

export interface IvtSProtocolOptions {
  /** Ids given to the shunt with its Set_CAN_ID commands, where they differ from 0x521…. */
  readonly canIds?: Partial<Record<IvtSReadChannel, number>>;
  /** The voltage input wired to the link, read as the bus voltage; null for none. Default U1. */
  readonly busVoltageChannel?: IvtSVoltageChannel | null;
}

const NAME = 'IVT-S';
const VOLTAGE_CHANNELS: readonly IvtSVoltageChannel[] = ['voltage1', 'voltage2', 'voltage3'];

/**
 * The Isabellenhütte IVT-S's result messages as a {@link CanShuntProtocol}: the current (mA), one
 * voltage input as the bus voltage (mV) and the ampere-second counter as charge. The state bits
 * of each result decide what it is worth (see ivt-s-frames.ts for the sources): a system error or
 * a measurement error anywhere drops it; a result the shunt calls out of range or of reduced
 * precision is an `overrange` current and a dropped voltage or charge (those samples have no
 * quality to say so); the over-current bit alone leaves a current `good`, it only says the
 * shunt's threshold is exceeded.
 */
export function ivtSProtocol(options: IvtSProtocolOptions = {}): CanShuntProtocol {
  const busVoltageChannel =
    options.busVoltageChannel === null
      ? null
      : requireOneOf(NAME, 'busVoltageChannel', options.busVoltageChannel ?? 'voltage1', VOLTAGE_CHANNELS);
  const channels: IvtSReadChannel[] = [
    'current',
    ...(busVoltageChannel ? [busVoltageChannel] : []),
    'charge',
  ];
  const channelById = new Map<number, IvtSReadChannel>();
  for (const channel of channels) {
    const option = `canIds.${channel}`;
    const canId = requireStandardCanId(
      NAME,
      option,
      options.canIds?.[channel] ?? IVT_S_DEFAULT_CAN_IDS[channel],
    );
    const taken = channelById.get(canId);
    if (taken !== undefined)
      throw new CurrentSensorError(
        'INVALID_OPTION',
        `${NAME}: ${option} ${hexCanId(canId)} is already the id of ${taken}`,
        { sensor: NAME, option },
      );
    channelById.set(canId, channel);
  }
  return {
    name: NAME,
    canIds: [...channelById.keys()],
    readsBusVoltage: busVoltageChannel !== null,
    readsCharge: true,
    read(frame: CanFrame): CanShuntReading | undefined {
      const channel = channelById.get(frame.id);
      if (channel === undefined) return undefined;
      const decoded = decodeIvtSResult(frame.data);
      if (!decoded.ok) return dropped(decoded.reason);
      return readResult(channel, decoded.frame);
    },
  };
}

function readResult(channel: IvtSReadChannel, result: IvtSResultFrame): CanShuntReading {
  if (result.channel !== channel)
    return dropped(`the mux byte says ${result.channel}, the id is configured for ${channel}`);
  if (result.state.systemError) return dropped("system error flagged: the shunt's function is not ensured");
  if (result.state.measurementError) return dropped('measurement error flagged');
  // Divided, not multiplied: 52410 / 1000 is 52.41 exactly as a double, × 0.001 is not.
  const value = result.rawValue / IVT_S_COUNTS_PER_UNIT[channel];
  if (channel === 'current')
    return { kind: 'current', currentA: value, quality: result.state.channelError ? 'overrange' : 'good' };
  if (result.state.channelError) return dropped('result flagged out of range or of reduced precision');
  return channel === 'charge' ? { kind: 'charge', chargeAh: value } : { kind: 'busVoltage', voltageV: value };
}

const dropped = (reason: string): CanShuntReading => ({ kind: 'dropped', reason });
