import { firstValueFrom, take, toArray } from 'rxjs';
import { ManualClock } from '@tsbms/hal';
import { FakeCurrentSource, RecordingLogger } from '@tsbms/hal/testing';
import { parseControllerConfig } from '../config';
import { linkSideOnly, openCurrentSensor, unavailableCurrentSensor } from './current-sensor';

const configWith = (currentSensor: unknown) => parseControllerConfig({ currentSensor }, 'test');

describe('openCurrentSensor', () => {
  it('on the demo pack without a sensor: an emulated INA226 read by the real driver, carrying what it is set to', async () => {
    const clock = new ManualClock();
    const opened = await openCurrentSensor(configWith({ type: 'none' }), true, clock, new RecordingLogger());
    if (opened === null) throw new Error('no sensor for the demo');
    expect(opened.source.description).toBe('INA226 at emulated-i2c 0x40');
    const samples = firstValueFrom(opened.source.current$.pipe(take(2), toArray()));
    opened.setEmulatedCurrent?.(-12.5);
    await clock.advanceByMs(200);
    expect((await samples).map((s) => s.currentA)).toEqual([-12.5, -12.5]);
    await opened.close();
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

  it("a shunt monitor's bus voltage is the link voltage only when the config says VBUS is wired there", () => {
    const sensor = new FakeCurrentSource('INA226', { busVoltage: true, chargeAh: true });
    expect(linkSideOnly(sensor, true).busVoltage$).toBe(sensor.busVoltage$);
    const batterySide = linkSideOnly(sensor, false);
    expect(batterySide.busVoltage$).toBeUndefined();
    expect(batterySide.current$).toBe(sensor.current$);
    expect(batterySide.chargeAh$).toBe(sensor.chargeAh$);
  });

  it('the stand-in for a sensor that could not be opened never answers', async () => {
    const standIn = unavailableCurrentSensor('ina226 current sensor');
    let answered = false;
    const subscription = standIn.source.current$.subscribe(() => (answered = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(false);
    expect(standIn.source.counters()).toEqual({ samples: 0, dropped: 0 });
    subscription.unsubscribe();
  });
});
