import {
  hexByte,
  requireClock,
  requireI2cBus,
  requireLogger,
  requireObject,
  type Clock,
  type I2cBus,
  type Logger,
} from '@tsbms/hal';

/** What every I2C sensor driver is given besides its own settings. */
export interface I2cSensorPorts {
  readonly bus: I2cBus;
  readonly address: number;
  readonly clock: Clock;
  readonly logger?: Logger;
}

/**
 * Checks an I2C driver's ports (InvalidArgumentError naming the argument) and returns the sensor's
 * description for messages: `INA226 at /dev/i2c-1 0x40`.
 */
export function describeI2cSensor(chip: string, options: I2cSensorPorts): string {
  requireObject(options, 'options', `${chip} options`);
  requireI2cBus(options.bus, 'options.bus');
  requireClock(options.clock, 'options.clock');
  if (options.logger !== undefined) requireLogger(options.logger, 'options.logger');
  return `${chip} at ${options.bus.path} ${hexByte(Number(options.address))}`;
}
