import { interval, type Subscription } from 'rxjs';
import { ManualClock, SimulatedDigitalOutput } from '@tsbms/hal';
import { RecordingLogger } from '@tsbms/hal/testing';
import { GpioError } from '@tsbms/hal-linux';
import { FakeGpioChips } from '@tsbms/hal-linux/testing';
import { parseControllerConfig, type ControllerConfig } from '../config';
import {
  removeTemporaryFolders,
  setUpSupervisedController,
} from '../supervisor/testing/supervised-controller';
import { openControllerGpio } from './controller-gpio';

afterAll(removeTemporaryFolders);

const CHIP = '/dev/gpiochip0';
/** Coils of the three contactors, and the line of each one's auxiliary contact. */
const COILS = { negative: 5, precharge: 6, positive: 13 };
const AUX = { negative: 20, precharge: 21, positive: 22 };
const GPIO = {
  chip: CHIP,
  contactorNegativePin: COILS.negative,
  contactorPrechargePin: COILS.precharge,
  contactorPositivePin: COILS.positive,
  contactorNegativeFeedbackPin: AUX.negative,
  contactorPrechargeFeedbackPin: AUX.precharge,
  contactorPositiveFeedbackPin: AUX.positive,
};

const configWith = (gpio: Record<string, unknown>): ControllerConfig =>
  parseControllerConfig({ gpio }, 'test');

describe('openControllerGpio', () => {
  it('claims the outputs, then the feedback inputs: active low with a pull-up by default; release frees both', () => {
    const chips = new FakeGpioChips({ [CHIP]: 32 });
    const logger = new RecordingLogger();
    const gpio = openControllerGpio(configWith({ ...GPIO, heaterPin: 17 }), {
      simulated: false,
      logger,
      binding: chips,
    });
    expect(chips.calls).toEqual([
      'request /dev/gpiochip0 5,6,13,17',
      'request input /dev/gpiochip0 20,21,22 active-low bias pull-up',
    ]);
    expect(Object.keys(gpio.relays)).toEqual([
      'contactorNegative',
      'contactorPrecharge',
      'contactorPositive',
      'heater',
    ]);
    expect(Object.keys(gpio.contactorFeedback)).toEqual([
      'contactorNegative',
      'contactorPrecharge',
      'contactorPositive',
    ]);
    chips.setInputLevel(CHIP, AUX.positive, 0);
    expect(gpio.contactorFeedback.contactorPositive?.read()).toBe(true);
    expect(logger.lines.map((line) => line.message)).toEqual([
      'GPIO /dev/gpiochip0: contactorNegative=5, contactorPrecharge=6, contactorPositive=13, heater=17, all off',
      'GPIO /dev/gpiochip0 feedback inputs: contactorNegative=20, contactorPrecharge=21, contactorPositive=22 (active low), bias pull-up',
    ]);
    gpio.release();
    expect(chips.openRequests).toBe(0);
  });

  it('feedback lines that cannot be claimed: logged with chip and lines, the outputs switched off and freed, the error thrown', () => {
    const chips = new FakeGpioChips({ [CHIP]: 21 });
    const logger = new RecordingLogger();
    expect(() => openControllerGpio(configWith(GPIO), { simulated: false, logger, binding: chips })).toThrow(
      GpioError,
    );
    expect(chips.openRequests).toBe(0);
    expect(Object.values(COILS).map((line) => chips.physicalLevel(CHIP, line))).toEqual([0, 0, 0]);
    expect(logger.lines.at(-1)).toMatchObject({
      level: 'error',
      fields: {
        event: 'gpio',
        chip: CHIP,
        lines: { contactorNegative: 20 },
        code: 'EINVAL',
        bias: 'pull-up',
      },
    });
  });

  it('simulated: all five outputs, and feedback only where a feedback pin is set, following its relay', () => {
    const logger = new RecordingLogger();
    const gpio = openControllerGpio(
      configWith({ contactorPositivePin: 13, contactorPositiveFeedbackPin: 22 }),
      { simulated: true, logger, clock: new ManualClock() },
    );
    expect(Object.keys(gpio.relays)).toEqual([
      'contactorNegative',
      'contactorPrecharge',
      'contactorPositive',
      'heater',
      'statusLed',
    ]);
    expect(Object.keys(gpio.contactorFeedback)).toEqual(['contactorPositive']);
    const positive = gpio.relays.contactorPositive as SimulatedDigitalOutput;
    expect(gpio.contactorFeedback.contactorPositive?.read()).toBe(false);
    positive.set(true);
    expect(gpio.contactorFeedback.contactorPositive?.read()).toBe(true);
    expect(
      openControllerGpio(configWith({}), { simulated: true, logger, clock: new ManualClock() })
        .contactorFeedback,
    ).toEqual({});
  });
});

describe('the controller with contactor feedback (B-14; virtual time, emulated pack, fake GPIO chip)', () => {
  jest.setTimeout(30_000);

  /**
   * The supervised controller on the fake chip, with three contactors whose auxiliary contacts
   * (to ground, pulled up: HIGH = open) follow their coils within 10 ms until a test takes one over.
   */
  function setUp() {
    const chips = new FakeGpioChips({ [CHIP]: 32 });
    for (const line of Object.values(AUX)) chips.setInputLevel(CHIP, line, 1);
    const h = setUpSupervisedController([], {
      settings: { gpio: GPIO },
      gpio: (config) =>
        openControllerGpio(config, { simulated: false, logger: new RecordingLogger(), binding: chips }),
    });
    const follow = (contactor: keyof typeof COILS): Subscription =>
      interval(10, h.clock).subscribe(() =>
        chips.setInputLevel(CHIP, AUX[contactor], chips.physicalLevel(CHIP, COILS[contactor]) === 1 ? 0 : 1),
      );
    const contacts = {
      negative: follow('negative'),
      precharge: follow('precharge'),
      positive: follow('positive'),
    };
    const coilsEnergised = () => Object.values(COILS).map((line) => chips.physicalLevel(CHIP, line));
    const faults = () => h.supervisor.context.status().faults;
    return { ...h, chips, contacts, coilsEnergised, faults };
  }

  it('closes through the sequence while the contacts follow, reading the feedback lines every poll', async () => {
    const h = setUp();
    await h.advanceUntil(h.closed, 15);
    expect(h.coilsEnergised()).toEqual([1, 0, 1]);
    const reads = h.chips.calls.filter((call) => call.startsWith('get ')).length;
    await h.clock.advanceByMs(2000);
    // Three inputs at each 0.5 s poll.
    expect(h.chips.calls.filter((call) => call.startsWith('get ')).length - reads).toBe(12);
    expect(h.faults()).toEqual([]);
    await h.stop();
  });

  it('a contact that drops open while commanded closed: contactorMismatch, and every contactor opens', async () => {
    const h = setUp();
    await h.advanceUntil(h.closed, 15);
    h.contacts.positive.unsubscribe();
    h.chips.setInputLevel(CHIP, AUX.positive, 1);
    await h.advanceUntil(() => !h.closed(), 3);
    expect(h.faults()).toEqual([
      expect.objectContaining({
        kind: 'contactorMismatch',
        level: 'fault',
        location: { contactor: 'positive' },
      }),
    ]);
    expect(h.coilsEnergised()).toEqual([0, 0, 0]);
    await h.stop();
  });

  it('a contact that stays closed once its coil is off (welded): contactorWelded, and nothing closes again', async () => {
    const h = setUp();
    await h.advanceUntil(h.closed, 15);
    h.contacts.positive.unsubscribe(); // its auxiliary contact stays LOW: closed
    expect(h.supervisor.context.requestRestart('test', 'test').accepted).toBe(true);
    const welded = () => h.faults().some((f) => f.kind === 'contactorWelded');
    await h.advanceUntil(welded, 5);
    expect(h.faults()).toContainEqual(
      expect.objectContaining({
        kind: 'contactorWelded',
        level: 'fault',
        location: { contactor: 'positive' },
      }),
    );
    await h.clock.advanceByMs(20_000);
    expect(h.closed()).toBe(false);
    expect(h.coilsEnergised()).toEqual([0, 0, 0]);
    await h.stop();
  });
});
