import { NEVER } from 'rxjs';
import { ManualClock } from '@tsbms/hal';
import { expectInvalidArgument } from '@tsbms/hal/testing';
import { victronFrameSchedule } from './schedule';
import type { VictronBatteryIdentity } from './snapshot';

/* Plain JavaScript callers get no type checks: the schedule rejects a wrong argument when it is built. */

const identity: VictronBatteryIdentity = {
  manufacturerName: 'tsBMS',
  modelId: 0,
  firmwareMajor: 0,
  firmwareMinor: 1,
  seriesCellCount: 12,
  cellLowVoltageV: 3.6,
};
const options = { scheduler: new ManualClock() };

describe('victronFrameSchedule', () => {
  it('is built from valid arguments', () => {
    expect(() => victronFrameSchedule(NEVER, identity, options)).not.toThrow();
  });

  it.each<[string, unknown, unknown, unknown]>([
    ['snapshots$', undefined, identity, options],
    ['snapshots$', {}, identity, options],
    ['snapshots$', 5, identity, options],
    ['identity', NEVER, undefined, options],
    ['identity', NEVER, 5, options],
    ['identity.seriesCellCount', NEVER, {}, options],
    ['identity.cellLowVoltageV', NEVER, { ...identity, cellLowVoltageV: '3.6' }, options],
    ['options', NEVER, identity, undefined],
    ['options.scheduler', NEVER, identity, {}],
    ['options.scheduler', NEVER, identity, { scheduler: { now: () => 0 } }],
    ['options.scheduler', NEVER, identity, { scheduler: 5 }],
    ['options.onAnomaly', NEVER, identity, { ...options, onAnomaly: 'log' }],
  ])('rejects a wrong %s', async (argument, snapshots$, wrongIdentity, wrongOptions) => {
    await expectInvalidArgument(
      () => victronFrameSchedule(snapshots$ as never, wrongIdentity as never, wrongOptions as never),
      argument,
    );
  });

  it('says what a scheduler without schedule lacks', async () => {
    const error = await expectInvalidArgument(
      () => victronFrameSchedule(NEVER, identity, { scheduler: { now: () => 0 } as never }),
      'options.scheduler',
    );
    expect(error.received).toBe('a plain object without schedule');
  });
});
