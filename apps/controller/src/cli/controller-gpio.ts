import {
  SimulatedDigitalInput,
  SimulatedDigitalOutput,
  systemClock,
  type Clock,
  type DigitalOutput,
  type Logger,
} from '@tsbms/hal';
import {
  GpioError,
  openGpioInputs,
  openGpioOutputs,
  type GpioBinding,
  type GpioInputs,
  type GpioOutputs,
} from '@tsbms/hal-linux';
import type { BmsRelays, ContactorFeedback } from '@tsbms/bms-core';
import type { ControllerConfig } from '../config';

/** The controller's relays and lamps and its contactors' feedback inputs, for the supervisor. */
export interface ControllerGpio {
  readonly relays: BmsRelays;
  readonly contactorFeedback: ContactorFeedback;
  /** Switches the outputs off and frees every line; a failure is logged, never thrown. */
  release(): void;
}

export interface OpenControllerGpioOptions {
  /**
   * No hardware (the emulated demo, a replay): every output is simulated, and each configured
   * feedback input follows its simulated contactor.
   */
  readonly simulated: boolean;
  readonly logger: Logger;
  /** Times the simulated outputs' transitions. Default the system clock. */
  readonly clock?: Clock;
  /** Default hal-linux's native addon; tests pass its FakeGpioChips. */
  readonly binding?: GpioBinding;
}

/** Setting → line, for the lines that are fitted (null = not fitted). */
function fitted(pins: Readonly<Record<string, number | null>>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(pins).filter((entry): entry is [string, number] => entry[1] !== null),
  );
}

/** `name=line, ...` for a log line. */
function describeLines(lines: Readonly<Record<string, number>>): string {
  return Object.entries(lines)
    .map(([name, line]) => `${name}=${line}`)
    .join(', ');
}

/**
 * A simulated contactor's auxiliary contact: closed exactly while its relay is energised. Honest
 * for the demo because it is what a healthy contactor does, so the per-poll check runs as it
 * would on hardware; it can never disagree, so it proves nothing about real wiring.
 */
function followingFeedback(
  relays: Readonly<Record<string, DigitalOutput>>,
  names: readonly string[],
): ContactorFeedback {
  return Object.fromEntries(
    names.map((name) => [name, new SimulatedDigitalInput(name, () => relays[name].state)]),
  );
}

/**
 * Relays, lamps and contactor feedback from the config's `gpio` section. Simulated: all five
 * outputs, and feedback for the contactors whose `*FeedbackPin` is set. Otherwise the configured
 * output pins (null = not fitted) are claimed on `gpio.chip` in one request, all off, and the
 * feedback pins in a second one as inputs (`feedbackActiveLow`, `feedbackBias`); a BMS that
 * cannot drive its contactors or read their feedback must not run, so a failure is logged with
 * chip and lines, anything already claimed is released, and the GpioError is thrown.
 */
export function openControllerGpio(
  config: ControllerConfig,
  options: OpenControllerGpioOptions,
): ControllerGpio {
  const { logger, clock = systemClock, binding } = options;
  const { gpio } = config;
  const outputPins = {
    contactorNegative: gpio.contactorNegativePin,
    contactorPrecharge: gpio.contactorPrechargePin,
    contactorPositive: gpio.contactorPositivePin,
    heater: gpio.heaterPin,
    statusLed: gpio.statusLedPin,
  };
  const feedbackLines = fitted({
    contactorNegative: gpio.contactorNegativeFeedbackPin,
    contactorPrecharge: gpio.contactorPrechargeFeedbackPin,
    contactorPositive: gpio.contactorPositiveFeedbackPin,
  });
  if (options.simulated) {
    const relays = Object.fromEntries(
      Object.keys(outputPins).map((name) => [name, new SimulatedDigitalOutput(name, clock)]),
    );
    const names = Object.keys(feedbackLines);
    if (names.length > 0) {
      logger.info(
        { event: 'gpio', simulated: true, feedback: names },
        `no hardware: the feedback of ${names.join(', ')} is simulated and follows its relay`,
      );
    }
    return { relays, contactorFeedback: followingFeedback(relays, names), release: () => undefined };
  }

  const outputLines = fitted(outputPins);
  const { chip, activeLow, feedbackActiveLow, feedbackBias } = gpio;
  const claimed: (GpioOutputs | GpioInputs)[] = [];
  // Freed output lines keep their last level on most GPIO drivers, so release() switches them off first.
  const release = () => {
    for (const request of claimed.splice(0).reverse()) {
      try {
        request.release();
      } catch (error) {
        logger.error({ event: 'gpio', chip }, `releasing the GPIO lines failed: ${(error as Error).message}`);
      }
    }
  };
  const claim = <Request extends GpioOutputs | GpioInputs>(
    lines: Record<string, number>,
    fields: Record<string, unknown>,
    open: () => Request,
  ): Request => {
    try {
      const request = open();
      claimed.push(request);
      return request;
    } catch (error) {
      const code = error instanceof GpioError ? error.code : undefined;
      logger.error(
        { event: 'gpio', chip, lines, ...fields, code },
        `cannot claim the GPIO lines: ${(error as Error).message}`,
      );
      release();
      throw error;
    }
  };

  const outputs =
    Object.keys(outputLines).length === 0
      ? null
      : claim(outputLines, { activeLow }, () =>
          openGpioOutputs({ chipPath: chip, lines: outputLines, activeLow, binding }),
        );
  if (outputs !== null) {
    logger.info(
      { event: 'gpio', chip, lines: outputLines, activeLow },
      `GPIO ${chip}: ${describeLines(outputLines)}${activeLow ? ' (active low)' : ''}, all off`,
    );
  }
  const inputs =
    Object.keys(feedbackLines).length === 0
      ? null
      : claim(feedbackLines, { activeLow: feedbackActiveLow, bias: feedbackBias }, () =>
          openGpioInputs({
            chipPath: chip,
            lines: feedbackLines,
            activeLow: feedbackActiveLow,
            bias: feedbackBias,
            binding,
          }),
        );
  if (inputs !== null) {
    logger.info(
      { event: 'gpio', chip, feedback: feedbackLines, activeLow: feedbackActiveLow, bias: feedbackBias },
      `GPIO ${chip} feedback inputs: ${describeLines(feedbackLines)}${feedbackActiveLow ? ' (active low)' : ''}, bias ${feedbackBias}`,
    );
  }
  return { relays: outputs?.outputs ?? {}, contactorFeedback: inputs?.inputs ?? {}, release };
}
