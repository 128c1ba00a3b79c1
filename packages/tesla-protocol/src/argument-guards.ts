import { requireClock, requireObject, requirePort, type Clock, type PortMembers } from '@tsbms/hal';
import type { TeslaBus } from './bus';

/** What discovery, the scan and the commands call on a bus. */
const TESLA_BUS_MEMBERS: PortMembers = {
  readRegisters: 'function',
  readRegister: 'function',
  writeRegister: 'function',
  broadcastRegister: 'function',
};

/** Throws InvalidArgumentError unless `value` has a TeslaBus's transaction methods. */
export function requireTeslaBus(value: unknown, argument: string): asserts value is TeslaBus {
  requirePort(value, argument, TESLA_BUS_MEMBERS, 'a TeslaBus');
}

/** Throws InvalidArgumentError unless `options` is an object with a Clock as `clock`. */
export function requireClockOptions(
  options: unknown,
  argument: string,
  what: string,
): asserts options is { readonly clock: Clock } {
  requireObject(options, argument, `${what} ({ clock, ... })`);
  requireClock(Reflect.get(options, 'clock'), `${argument}.clock`);
}
