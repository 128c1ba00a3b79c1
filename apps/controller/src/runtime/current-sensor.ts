import { Subject, Subscription } from 'rxjs';
import {
  Ads1115CurrentSource,
  calibratedCurrentSource,
  CanShuntCurrentSource,
  EmulatedIna226,
  GxMqttCurrentSource,
  Ina226CurrentSource,
  Ina228CurrentSource,
  ivtSProtocol,
  lemCabProtocol,
  Mcp3421CurrentSource,
  validateCalibration,
  VeDirectCurrentSource,
  type CurrentCalibration,
} from '@tsbms/current-sensors';
import {
  Reconnector,
  type Clock,
  type CurrentSample,
  type CurrentSource,
  type I2cBus,
  type Logger,
  type VoltageSample,
} from '@tsbms/hal';
import { MemoryI2cBus } from '@tsbms/hal/testing';
import { LinuxI2cBus, SerialByteLink, SocketCanBus } from '@tsbms/hal-linux';
import { ownBatteryNames } from '@tsbms/output-inverter-can';
import type { ControllerConfig } from '../config';
import { MqttGxClient } from './mqtt-gx-client';

/** The pack current sensor the daemon runs with, and how to release it. */
export interface OpenedCurrentSensor {
  readonly source: CurrentSource;
  /** The demo's emulated chip, which the charge cycle drives; null on real hardware. */
  readonly setEmulatedCurrent: ((currentA: number) => void) | null;
  close(): Promise<void>;
}

/** The demo's emulated INA226: a 500 A / 50 mV shunt at 0x40 on an in-memory bus. */
const DEMO_SHUNT_OHM = 0.0001;

/** Which sensor: the pack's (`currentSensor`) or the one that cross-checks it (`currentSensorCheck`). */
export type CurrentSensorRole = 'currentSensor' | 'currentSensorCheck';

/**
 * Opens the configured current sensor of `role`, or for the pack's on the demo's emulated pack
 * (`demo`) an emulated INA226 read by the real driver. Null when none is configured on real
 * hardware (and for the check sensor of the demo). Rejects when the sensor cannot be opened (no
 * bus, no chip, a wrong chip): the caller decides.
 */
export async function openCurrentSensor(
  config: ControllerConfig,
  demo: boolean,
  clock: Clock,
  logger: Logger,
  role: CurrentSensorRole = 'currentSensor',
): Promise<OpenedCurrentSensor | null> {
  const sensor = config[role];
  if (sensor.type === 'none') {
    if (!demo || role !== 'currentSensor') return null;
    const bus = new MemoryI2cBus('emulated-i2c');
    const chip = bus.attach(0x40, new EmulatedIna226(DEMO_SHUNT_OHM));
    const driver = await Ina226CurrentSource.open({
      bus,
      address: 0x40,
      shuntOhm: DEMO_SHUNT_OHM,
      clock,
      logger,
    });
    // The emulated chip's VBUS is wired to nothing: the demo's precharge stays timed.
    const source = linkSideOnly(driver, false);
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
  if (sensor.type === 'gx-mqtt') {
    const host = sensor.host.includes(':') ? `[${sensor.host}]` : sensor.host;
    // A GX that is not reachable yet is not an error either: the client keeps retrying.
    const client = new MqttGxClient({
      url: `mqtt://${host}:${sensor.port}`,
      clock,
      logger,
      reconnect: RECONNECT,
    });
    const driver = new GxMqttCurrentSource({
      client,
      clock,
      logger,
      deviceInstance: sensor.deviceInstance,
      ...(sensor.portalId === null ? {} : { portalId: sensor.portalId }),
      // The names the inverter output gives tsBMS's battery on that GX: never read back.
      ownBatteryNames: ownBatteryNames(config.inverter),
      keepAliveIntervalMs: sensor.keepAliveIntervalMs,
      readIntervalMs: sensor.readIntervalMs,
      description: `GX ${host}:${sensor.port} battery/${sensor.deviceInstance}`,
    });
    return opened(driver, sensor.calibration, logger, async () => {
      await driver.close();
      await client.close();
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

/** A serial cable, CAN interface or GX broker that is away is reopened with this backoff. */
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

/** Whether the configured sensor gives the core a link voltage (precharge is verified by it). */
export function sensorHasLinkVoltage(sensor: ControllerConfig['currentSensor']): boolean {
  switch (sensor.type) {
    case 'ina226':
    case 'ina228':
      return sensor.linkVoltage;
    case 'ivt-s':
      return sensor.linkVoltageInput !== null;
    default:
      return false;
  }
}

export interface RetryingCurrentSensorOptions {
  /** What the sensor is, for messages before it has been opened. */
  readonly description: string;
  /** Opens the sensor; rejects while it cannot be (no bus, no chip yet). */
  readonly open: () => Promise<OpenedCurrentSensor>;
  /** Whether the opened sensor will have a link voltage: the core decides its precharge at start. */
  readonly linkVoltage: boolean;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * What the core gets when the configured sensor could not be opened at start: a fitted sensor that
 * is silent (so `currentSensorLost` is raised, a fault with `currentSensorRequired`, and SoC runs on
 * voltage) while opening is retried with a backoff up to 30 s; once it opens, its samples flow.
 * The daemon protects the pack meanwhile instead of refusing to run, and a chip that was not
 * powered or a cable that was loose at start is picked up without a restart.
 */
export function retryingCurrentSensor(options: RetryingCurrentSensorOptions): OpenedCurrentSensor {
  const { description, clock, logger } = options;
  const current = new Subject<CurrentSample>();
  const busVoltage = new Subject<VoltageSample>();
  let opened: OpenedCurrentSensor | null = null;
  let closed = false;
  const forwarding = new Subscription();
  const reconnector = new Reconnector({
    policy: RECONNECT,
    clock,
    logger,
    name: description,
    logFields: { event: 'currentSensor', sensor: description },
    reopen: async () => {
      try {
        const sensor = await options.open();
        if (closed) return void (await sensor.close());
        opened = sensor;
        reconnector.succeeded();
        forwarding.add(sensor.source.current$.subscribe(current));
        if (sensor.source.busVoltage$) forwarding.add(sensor.source.busVoltage$.subscribe(busVoltage));
      } catch (error) {
        reconnector.attemptFailed();
        logger.warn(
          { event: 'currentSensor', sensor: description, error: errorText(error) },
          `${description} still unavailable: ${errorText(error)}`,
        );
        if (!closed) reconnector.schedule();
      }
    },
  });
  reconnector.schedule();
  return {
    source: {
      description,
      current$: current.asObservable(),
      ...(options.linkVoltage ? { busVoltage$: busVoltage.asObservable() } : {}),
      counters: () => opened?.source.counters() ?? { samples: 0, dropped: 0 },
      close: async () => undefined,
    },
    setEmulatedCurrent: null,
    close: async () => {
      closed = true;
      reconnector.cancel();
      forwarding.unsubscribe();
      await opened?.close();
      current.complete();
      busVoltage.complete();
    },
  };
}

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));
