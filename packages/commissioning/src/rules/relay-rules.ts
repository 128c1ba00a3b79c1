import { finding } from '../finding';
import type { FeedbackName, RelayCheckObservation, RelaysObservation } from '../observations';
import type { Finding } from '../report-schema';
import { listOf } from '../words';

/*
 * The `--relays` check: each output switched on for a moment and off again, a person saying
 * whether it clicked, and the contactors' feedback inputs (B-14) read before, during and after.
 */

const isContactor = (relay: string): relay is FeedbackName => relay.startsWith('contactor');

/** "contactorPositive (line 13)" */
const named = (check: { relay: string; line: number }) => `${check.relay} (line ${check.line})`;

const closedIn = (reading: RelayCheckObservation['feedbackBefore']): FeedbackName[] =>
  (Object.entries(reading) as [FeedbackName, boolean][]).filter(([, closed]) => closed).map(([n]) => n);

export function relayFindings(relays: RelaysObservation | null): Finding[] {
  if (relays === null) return [];
  if (relays.fitted.length === 0) {
    return [
      finding('relays-none-fitted', 'warning', {
        title: '--relays: no relay output is configured',
        detail:
          'The config has no gpio.contactorNegativePin, …PrechargePin, …PositivePin, heaterPin or statusLedPin.',
        fix: 'Set the GPIO lines of the relay drivers in the gpio section of the config and pass it with --config.',
      }),
    ];
  }
  if (!relays.confirmedDisconnected) {
    return [
      finding('relays-not-confirmed', 'warning', {
        title: 'relays not checked: the battery was not confirmed disconnected',
        detail:
          'Nothing was switched. Closing contactors on a connected pack can close them onto the inverter.',
        fix: 'Disconnect the battery from the contactors (and the inverter), run again with --relays and type "disconnected".',
      }),
    ];
  }
  const findings: Finding[] = [];
  if (relays.error !== undefined) {
    findings.push(
      finding('relays-unavailable', 'problem', {
        title: `cannot switch the relays: ${relays.error}`,
        detail: 'The GPIO lines could not be claimed or set, so the controller could not drive them either.',
        fix:
          'Stop the controller first (it holds the lines: sudo systemctl stop tsbms-controller), check gpio.chip ' +
          'and the line numbers (gpioinfo), and that this user may use the chip (the gpio group).',
      }),
    );
  }
  for (const check of relays.checks) findings.push(...checkFindings(check, relays.feedbackFitted));
  if (relays.interrupted) {
    const done = new Set(relays.checks.map((c) => c.relay));
    const left = relays.fitted.filter((f) => !done.has(f.relay)).map(named);
    findings.push(
      finding('relays-interrupted', 'warning', {
        title: `the relay check was stopped; not checked: ${listOf(left)}`,
        detail: 'Every output was switched off when it stopped.',
        fix: 'Run the check again to the end.',
      }),
    );
  }
  return findings;
}

function checkFindings(check: RelayCheckObservation, feedbackFitted: readonly FeedbackName[]): Finding[] {
  const relay = check.relay;
  const lamp = relay === 'statusLed';
  const heard = lamp ? 'lit' : 'clicked';
  const own = isContactor(relay) && feedbackFitted.includes(relay) ? relay : null;
  if (own !== null) {
    if (check.feedbackBefore[own] === true) {
      return [
        finding('relay-feedback-stuck-closed', 'problem', {
          title: `${relay}'s feedback reads closed while every output is off`,
          detail:
            'Before the check switched anything, its auxiliary contact read closed: the contactor is welded, ' +
            'or the input is read the wrong way round (an auxiliary contact to ground reads closed LOW: ' +
            'gpio.feedbackActiveLow true; one to the supply: false), or it lacks its pull-up (gpio.feedbackBias).',
          fix: `Check whether ${relay} is closed with its coil off (continuity across its main contacts, battery disconnected), then gpio.feedbackActiveLow and gpio.feedbackBias.`,
        }),
      ];
    }
    if (check.feedbackEnergised[own] !== true) {
      const others = closedIn(check.feedbackEnergised).filter((n) => check.feedbackBefore[n] !== true);
      if (others.length > 0) {
        return [
          finding('relay-feedback-crossed', 'problem', {
            title: `switching ${named(check)} closed the feedback of ${listOf(others)}, not its own`,
            detail:
              `While ${relay} was on, its own feedback stayed open and ${listOf(others)} read closed: the feedback ` +
              'lines (or the relay outputs) are swapped between the contactors. The fault engine would compare ' +
              'each command with the wrong contactor.',
            fix: `Swap gpio.${relay}FeedbackPin with gpio.${others[0]}FeedbackPin (or the wires), then run --relays again.`,
          }),
        ];
      }
      return [
        finding('relay-feedback-stuck-open', 'problem', {
          title: `${relay}'s feedback stayed open while ${named(check)} was on${check.confirmed ? ` (it ${heard})` : ''}`,
          detail: check.confirmed
            ? 'The contactor clicked but its auxiliary contact never read closed: the contact is not wired to ' +
              `gpio.${relay}FeedbackPin, or is wired as normally closed, or the input is read the wrong way round.`
            : 'Neither a click nor a closed feedback: the relay driver did not switch the contactor (see the driver, ' +
              'its supply, the line number and gpio.activeLow).',
          fix: check.confirmed
            ? `Check the auxiliary contact's wiring to line gpio.${relay}FeedbackPin and gpio.feedbackActiveLow.`
            : `Check the driver of line ${check.line}, the coil supply, and gpio.activeLow.`,
        }),
      ];
    }
    if (check.feedbackAfter[own] === true) {
      return [
        finding('relay-feedback-stuck-closed', 'problem', {
          title: `${relay}'s feedback still reads closed after ${named(check)} was switched off`,
          detail: 'The contactor did not open again (welded, or its driver stays on), or the feedback lags.',
          fix: `Check that ${relay} opens with its coil off (battery disconnected) and the driver of line ${check.line}.`,
        }),
      ];
    }
  }
  if (check.confirmed !== true) {
    const answer =
      check.confirmed === null ? 'no answer was given' : `the answer was that it has not ${heard}`;
    return [
      finding('relay-silent', own === null ? 'problem' : 'warning', {
        title: `${named(check)} was switched on and off, but ${answer}`,
        detail:
          own === null
            ? `Without a feedback input the answer is the only evidence: the output did not ${lamp ? 'light the lamp' : 'switch the relay'}.`
            : 'Its feedback followed (open, closed, open), so the contactor moved; it may just be quiet.',
        fix:
          own === null
            ? `Check the relay driver on line ${check.line} (its supply, the wiring), the line number in gpio.${relay}Pin, and gpio.activeLow (a driver that energises on LOW).`
            : 'Listen again (or feel the contactor) and run the check again.',
      }),
    ];
  }
  return [
    finding('relay-ok', 'ok', {
      title: `${named(check)} ${heard}${own === null ? '' : '; its feedback followed (open, closed, open)'}`,
      detail: own === null && isContactor(relay) ? 'It has no feedback input (optional, B-14).' : '',
    }),
  ];
}
