import { NEVER } from 'rxjs';
import {
  Ads1115CurrentSource,
  calibratedCurrentSource,
  CanShuntCurrentSource,
  EmulatedIna226,
  Ina226CurrentSource,
  Ina228CurrentSource,
  ivtSProtocol,
  lemCabProtocol,
  Mcp3421CurrentSource,
  validateCalibration,
  VeDirectCurrentSource,
  type CurrentCalibration,
} from '@tsbms/current-sensors';
import type { Clock, CurrentSource, I2cBus, Logger } from '@tsbms/hal';
import { MemoryI2cBus } from '@tsbms/hal/testing';
import { LinuxI2cBus, SerialByteLink, SocketCanBus } from '@tsbms/hal-linux';
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
      reconnect: RECONNECT,
      clock,
      logger,
    });
    // A cable not plugged in yet is not an error: the link logs it and keeps reopening, and until
    // the monitor speaks the core sees a silent sensor (currentSensorLost).
    await link.open().catch(() => undefined);
    const driver = new VeDirectCurrentSource({ link, clock, description: `VE.Direct at ${sensor.path}` });
    return opened(driver, sensor.calibration, logger, () => driver.close());
  }
  if (sensor.type === 'ivt-s' || sensor.type === 'lem-cab') {
    // Its own socket, even on the Victron output's interface: SocketCAN gives each socket every frame.
    const bus = new SocketCanBus({ iface: sensor.iface, reconnect: RECONNECT, clock, logger });
    // An interface that is down is not an error either: the bus keeps reopening, the sensor is silent.
    await bus.open().catch(() => undefined);
    const protocol =
      sensor.type === 'ivt-s'
        ? ivtSProtocol({ canIds: sensor.canIds, busVoltageChannel: sensor.linkVoltageInput })
        : lemCabProtocol({ canId: sensor.canId });
    const driver = new CanShuntCurrentSource({
      bus,
      clock,
      protocol,
      logger,
      description: `${protocol.name} on ${sensor.iface}`,
    });
    return opened(driver, sensor.calibration, logger, async () => {
      await driver.close();
      await bus.close();
    });
  }
  // LinuxI2cBus loads the i2c-bus native addon only here, when a sensor is configured.
  const bus: I2cBus = await LinuxI2cBus.open({ busNumber: sensor.i2cBus });
  try {
    const common = { bus, clock, logger };
    const driver: CurrentSource =
      sensor.type === 'ina226'
        ? linkSideOnly(await Ina226CurrentSource.open({ ...sensor, ...common }), sensor.linkVoltage)
        : sensor.type === 'ina228'
          ? linkSideOnly(await Ina228CurrentSource.open({ ...sensor, ...common }), sensor.linkVoltage)
          : sensor.type === 'mcp3421'
            ? await Mcp3421CurrentSource.open({ ...sensor, ...common })
            : await Ads1115CurrentSource.open({ ...sensor, ...common });
    return opened(driver, sensor.calibration, logger, async () => {
      await driver.close();
      await bus.close();
    });
  } catch (error) {
    await bus.close();
    throw error;
  }
}

/**
 * A shunt monitor's VBUS is the link voltage (precharge is verified by it) only where the user
 * says it is wired there (`linkVoltage`); otherwise the source goes on without a bus voltage.
 */
export function linkSideOnly(driver: CurrentSource, linkVoltage: boolean): CurrentSource {
  if (linkVoltage) return driver;
  return {
    description: driver.description,
    current$: driver.current$,
    ...(driver.chargeAh$ === undefined ? {} : { chargeAh$: driver.chargeAh$ }),
    counters: () => driver.counters(),
    close: () => driver.close(),
  };
}

/** A serial cable or CAN interface that is away is reopened with this backoff. */
const RECONNECT = { initialDelayMs: 1000, maxDelayMs: 30_000 };

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
