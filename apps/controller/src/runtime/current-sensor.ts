import { NEVER } from 'rxjs';
import {
  Ads1115CurrentSource,
  calibratedCurrentSource,
  EmulatedIna226,
  Ina226CurrentSource,
  validateCalibration,
  VeDirectCurrentSource,
  type CurrentCalibration,
} from '@tsbms/current-sensors';
import type { Clock, CurrentSource, I2cBus, Logger } from '@tsbms/hal';
import { MemoryI2cBus } from '@tsbms/hal/testing';
import { LinuxI2cBus, SerialByteLink } from '@tsbms/hal-linux';
import type { ControllerConfig } from '../config';

/** The pack current sensor the daemon runs with, and how to release it. */
export interface OpenedCurrentSensor {
  readonly source: CurrentSource;
  /** The demo's emulated chip, which the charge cycle drives; null on real hardware. */
  readonly setEmulatedCurrent: ((currentA: number) => void) | null;
  close(): Promise<void>;
}

/** The demo's emulated INA226: a 500 A / 50 mV shunt at 0x40 on an in-memory bus. */
const DEMO_SHUNT_OHM = 0.0001;

/**
 * Opens the configured current sensor (`currentSensor`), or on the demo's emulated pack (`demo`)
 * an emulated INA226 read by the real driver. Null when none is configured on real hardware.
 * Rejects when the sensor cannot be opened (no bus, no chip, a wrong chip): the caller decides.
 */
export async function openCurrentSensor(
  config: ControllerConfig,
  demo: boolean,
  clock: Clock,
  logger: Logger,
): Promise<OpenedCurrentSensor | null> {
  const sensor = config.currentSensor;
  if (sensor.type === 'none') {
    if (!demo) return null;
    const bus = new MemoryI2cBus('emulated-i2c');
    const chip = bus.attach(0x40, new EmulatedIna226(DEMO_SHUNT_OHM));
    chip.setBusVoltage(0);
    const source = await Ina226CurrentSource.open({
      bus,
      address: 0x40,
      shuntOhm: DEMO_SHUNT_OHM,
      clock,
      logger,
    });
    return {
      source,
      setEmulatedCurrent: (currentA) => chip.setCurrent(currentA),
      close: () => source.close(),
    };
  }
  if (sensor.type === 'vedirect') {
    // A VE.Direct port speaks 19200 baud; a cable pulled out and back in is reopened.
    const link = new SerialByteLink({
      path: sensor.path,
      baudRate: 19200,
      reconnect: VE_DIRECT_RECONNECT,
      clock,
      logger,
    });
    // A cable not plugged in yet is not an error: the link logs it and keeps reopening, and until
    // the monitor speaks the core sees a silent sensor (currentSensorLost).
    await link.open().catch(() => undefined);
    const driver = new VeDirectCurrentSource({ link, clock, description: `VE.Direct at ${sensor.path}` });
    return opened(driver, sensor.calibration, logger, () => driver.close());
  }
  // LinuxI2cBus loads the i2c-bus native addon only here, when a sensor is configured.
  const bus: I2cBus = await LinuxI2cBus.open({ busNumber: sensor.i2cBus });
  try {
    const driver: CurrentSource =
      sensor.type === 'ina226'
        ? await Ina226CurrentSource.open({ ...sensor, bus, clock, logger })
        : await Ads1115CurrentSource.open({ ...sensor, bus, clock, logger });
    return opened(driver, sensor.calibration, logger, async () => {
      await driver.close();
      await bus.close();
    });
  } catch (error) {
    await bus.close();
    throw error;
  }
}

const VE_DIRECT_RECONNECT = { initialDelayMs: 1000, maxDelayMs: 30_000 };

/** A hardware sensor, calibrated, announced in the log. */
function opened(
  driver: CurrentSource,
  calibration: Partial<CurrentCalibration>,
  logger: Logger,
  close: () => Promise<void>,
): OpenedCurrentSensor {
  const source = calibratedCurrentSource(driver, validateCalibration(driver.description, calibration));
  logger.info(
    { event: 'currentSensor', sensor: source.description },
    `pack current from the ${source.description}`,
  );
  return { source, setEmulatedCurrent: null, close };
}

/**
 * What the core gets when the configured sensor could not be opened: a fitted sensor that never
 * answers, so `currentSensorLost` is raised (a fault with `currentSensorRequired`) and SoC runs on
 * voltage, instead of the daemon refusing to protect the pack at all.
 */
export function unavailableCurrentSensor(description: string): OpenedCurrentSensor {
  return {
    source: {
      description,
      current$: NEVER,
      counters: () => ({ samples: 0, dropped: 0 }),
      close: async () => undefined,
    },
    setEmulatedCurrent: null,
    close: async () => undefined,
  };
}
