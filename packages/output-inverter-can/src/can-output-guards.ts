import {
  CAN_BUS_MEMBERS,
  requireClock,
  requireFunction,
  requireLogger,
  requireObject,
  requirePort,
  type PortMembers,
} from '@tsbms/hal';

/*
 * Guards of the inverter CAN output's entry points (inverterCanOutput, CanOutput): plain JavaScript
 * callers get no type checks, so a wrong bus or context fails here with hal's InvalidArgumentError,
 * not inside a subscription once the output runs.
 */

const CAN_OUTPUT_BUS_MEMBERS: PortMembers = { ...CAN_BUS_MEMBERS, open: 'function' };

/** What the output reads of its context. */
const OUTPUT_CONTEXT_MEMBERS: PortMembers = {
  settings: 'function',
  status: 'function',
  status$: 'observable',
};

export function requireCanOutputOptions(options: unknown, argument: string): void {
  requireObject(options, argument, 'CanOutput options ({ openBus, firmwareVersion })');
  requireFunction(
    Reflect.get(options, 'openBus'),
    `${argument}.openBus`,
    'a function (settings) => CanOutputBus',
  );
  const readBitRate: unknown = Reflect.get(options, 'readBitRate');
  if (readBitRate !== undefined)
    requireFunction(readBitRate, `${argument}.readBitRate`, 'a function (iface) => Promise<number | null>');
}

export function requireCanOutputBus(bus: unknown, argument: string): void {
  requirePort(bus, argument, CAN_OUTPUT_BUS_MEMBERS, 'a CanOutputBus');
}

export function requireOutputContext(context: unknown, argument: string): void {
  requirePort(context, argument, OUTPUT_CONTEXT_MEMBERS, 'an OutputContext');
  requireClock(Reflect.get(context, 'clock'), `${argument}.clock`);
  requireLogger(Reflect.get(context, 'logger'), `${argument}.logger`);
}
