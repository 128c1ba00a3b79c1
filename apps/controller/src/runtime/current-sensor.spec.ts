import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { firstValueFrom, take, toArray } from 'rxjs';
import { ManualClock, systemClock, type CurrentSample } from '@tsbms/hal';
import { FakeCurrentSource, RecordingLogger } from '@tsbms/hal/testing';
import { eventually, freePort, scoped, startMosquitto } from '@tsbms/test-support';
import { parseControllerConfig } from '../config';
import {
  linkSideOnly,
  openCurrentSensor,
  retryingCurrentSensor,
  sensorHasLinkVoltage,
  type OpenedCurrentSensor,
} from './current-sensor';
import { SHUNT_INSTANCE, startGxOnBroker } from './testing/gx-on-broker';

const configWith = (currentSensor: unknown) => parseControllerConfig({ currentSensor }, 'test');

describe('openCurrentSensor', () => {
  it('on the demo pack without a sensor: an emulated INA226 read by the real driver, carrying what it is set to', async () => {
    const clock = new ManualClock();
    const opened = await openCurrentSensor(configWith({ type: 'none' }), true, clock, new RecordingLogger());
    if (opened === null) throw new Error('no sensor for the demo');
    expect(opened.source.description).toBe('INA226 at emulated-i2c 0x40');
    // Its VBUS is wired to nothing: no link voltage, so the demo's precharge stays timed.
    expect(opened.source.busVoltage$).toBeUndefined();
    const samples = firstValueFrom(opened.source.current$.pipe(take(2), toArray()));
    opened.setEmulatedCurrent?.(-12.5);
    await clock.advanceByMs(200);
    expect((await samples).map((s) => s.currentA)).toEqual([-12.5, -12.5]);
    await opened.close();
  });

  it('the check sensor: none unless configured, also on the demo pack; otherwise the same sensors', async () => {
    const clock = new ManualClock();
    expect(
      await openCurrentSensor(
        configWith({ type: 'none' }),
        true,
        clock,
        new RecordingLogger(),
        'currentSensorCheck',
      ),
    ).toBeNull();
    const config = parseControllerConfig(
      { currentSensorCheck: { type: 'vedirect', path: '/dev/tsbms-no-such-check-shunt' } },
      'test',
    );
    const opened = await openCurrentSensor(config, false, clock, new RecordingLogger(), 'currentSensorCheck');
    expect(opened?.source.description).toBe('VE.Direct at /dev/tsbms-no-such-check-shunt');
    await opened?.close();
  });

  it('on hardware without a sensor: none', async () => {
    expect(
      await openCurrentSensor(configWith({ type: 'none' }), false, new ManualClock(), new RecordingLogger()),
    ).toBeNull();
  });

  it('a configured sensor on a bus that does not exist rejects with I2C_OPEN_FAILED', async () => {
    const config = configWith({ type: 'ina226', i2cBus: 199, shuntOhm: 0.0001 });
    await expect(
      openCurrentSensor(config, false, new ManualClock(), new RecordingLogger()),
    ).rejects.toMatchObject({
      code: 'I2C_OPEN_FAILED',
      context: { bus: '/dev/i2c-199' },
    });
  });

  it('a VE.Direct cable not plugged in yet: a sensor that stays silent and keeps reopening, not a failure', async () => {
    const logger = new RecordingLogger();
    const config = configWith({ type: 'vedirect', path: '/dev/tsbms-no-such-ve-direct' });
    const opened = await openCurrentSensor(config, false, new ManualClock(), logger);
    expect(opened?.source.description).toBe('VE.Direct at /dev/tsbms-no-such-ve-direct');
    expect(logger.lines.some((line) => line.level === 'warn' && /no-such-ve-direct/.test(line.message))).toBe(
      true,
    );
    await opened?.close();
  });

  it('a CAN shunt on an interface that is not there: a silent sensor that keeps reopening, not a failure', async () => {
    const logger = new RecordingLogger();
    const config = configWith({ type: 'lem-cab', iface: 'tsbmsnocan0' });
    const opened = await openCurrentSensor(config, false, new ManualClock(), logger);
    expect(opened?.source.description).toBe('LEM CAB on tsbmsnocan0');
    expect(opened?.source.busVoltage$).toBeUndefined();
    expect(
      logger.lines.some((line) => line.level === 'info' && /pack current from the LEM/.test(line.message)),
    ).toBe(true);
    await opened?.close();
  });

  it(
    "a GX not reachable yet: a silent sensor that keeps reconnecting, then the monitor's current, calibrated",
    scoped(async (scope) => {
      const workDir = mkdtempSync(path.join(tmpdir(), 'tsbms-gx-runtime-'));
      scope.add(async () => rmSync(workDir, { recursive: true, force: true }));
      const port = await freePort();
      const logger = new RecordingLogger();
      const config = configWith({
        type: 'gx-mqtt',
        host: '127.0.0.1',
        port,
        deviceInstance: SHUNT_INSTANCE,
        readIntervalMs: 200,
        calibration: { reversed: true },
      });
      const opened = await openCurrentSensor(config, false, systemClock, logger);
      if (opened === null) throw new Error('no sensor');
      scope.add(() => opened.close());
      expect(opened.source.description).toBe(`GX 127.0.0.1:${port} battery/279`);
      const samples: CurrentSample[] = [];
      opened.source.current$.subscribe((sample) => samples.push(sample));
      const log = () => JSON.stringify(logger.lines.map((line) => line.message));
      await eventually(
        () => logger.lines.some((line) => /GX broker .* is unreachable/.test(line.message)),
        log,
      );
      const broker = await startMosquitto(scope, workDir, { port });
      await startGxOnBroker(scope, broker.url, 60_000);
      // The first retry waits 1 s, the next 2 s: well inside the cap.
      await eventually(() => samples.length > 0, log);
      expect(samples[0]).toMatchObject({ currentA: 12.5, quality: 'good' });
      expect(logger.lines.filter((line) => line.level === 'error')).toEqual([]);
    }),
    20_000,
  );

  it("a shunt monitor's bus voltage is the link voltage only when the config says VBUS is wired there", () => {
    const sensor = new FakeCurrentSource('INA226', { busVoltage: true, chargeAh: true });
    expect(linkSideOnly(sensor, true).busVoltage$).toBe(sensor.busVoltage$);
    const batterySide = linkSideOnly(sensor, false);
    expect(batterySide.busVoltage$).toBeUndefined();
    expect(batterySide.current$).toBe(sensor.current$);
    expect(batterySide.chargeAh$).toBe(sensor.chargeAh$);
  });

  it('a sensor that cannot be opened at start: silent, retried with a backoff, and read from once it opens', async () => {
    const clock = new ManualClock();
    const logger = new RecordingLogger();
    const chip = new FakeCurrentSource('INA226 at /dev/i2c-1 0x40', { busVoltage: true });
    let attempts = 0;
    const retrying = retryingCurrentSensor({
      description: 'ina226 current sensor',
      open: async (): Promise<OpenedCurrentSensor> => {
        attempts++;
        if (attempts < 3) throw new Error('no chip at 0x40');
        return { source: chip, setEmulatedCurrent: null, close: () => chip.close() };
      },
      linkVoltage: true,
      clock,
      logger,
    });
    const currents: number[] = [];
    const volts: number[] = [];
    retrying.source.current$.subscribe((s) => currents.push(s.currentA));
    retrying.source.busVoltage$?.subscribe((v) => volts.push(v.voltageV));
    chip.emit(0, 5); // nobody reads the chip yet
    await clock.advanceByMs(1000); // first retry after 1 s: fails
    expect(attempts).toBe(1);
    await clock.advanceByMs(1999);
    expect(attempts).toBe(1); // the wait doubled
    await clock.advanceByMs(1); // second retry, 2 s later: opens
    expect(attempts).toBe(2);
    await clock.advanceByMs(4000);
    expect(attempts).toBe(3);
    chip.emit(clock.now(), -12.5);
    chip.emitBusVoltage(clock.now(), 51.2);
    expect(currents).toEqual([-12.5]);
    expect(volts).toEqual([51.2]);
    expect(retrying.source.counters()).toEqual({ samples: 2, dropped: 0 });
    expect(logger.lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      'ina226 current sensor still unavailable: no chip at 0x40',
      'ina226 current sensor still unavailable: no chip at 0x40',
    ]);
    await retrying.close();
    await clock.advanceByMs(60_000);
    expect(attempts).toBe(3);
  });

  it('stops retrying when closed, and has a link voltage only where the config gives one', async () => {
    const clock = new ManualClock();
    let attempts = 0;
    const retrying = retryingCurrentSensor({
      description: 'ina228 current sensor',
      open: () => Promise.reject(new Error(`attempt ${++attempts}`)),
      linkVoltage: false,
      clock,
      logger: new RecordingLogger(),
    });
    expect(retrying.source.busVoltage$).toBeUndefined();
    await retrying.close();
    await clock.advanceByMs(120_000);
    expect(attempts).toBe(0);
    expect(
      sensorHasLinkVoltage(configWith({ type: 'ina228', shuntOhm: 0.0001, maxCurrentA: 300 }).currentSensor),
    ).toBe(false);
    expect(
      sensorHasLinkVoltage(configWith({ type: 'ina226', shuntOhm: 0.0001, linkVoltage: true }).currentSensor),
    ).toBe(true);
    expect(
      sensorHasLinkVoltage(
        configWith({ type: 'ivt-s', iface: 'can1', linkVoltageInput: 'voltage2' }).currentSensor,
      ),
    ).toBe(true);
    expect(sensorHasLinkVoltage(configWith({ type: 'vedirect', path: '/dev/ttyUSB1' }).currentSensor)).toBe(
      false,
    );
  });
});
