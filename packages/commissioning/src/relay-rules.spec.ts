import {
  diagnose,
  doctorReportSchema,
  type DoctorReport,
  type FeedbackReading,
  type RelayCheckObservation,
  type RelaysObservation,
} from './index';
import { healthyObservations } from './testing';

const FITTED = [
  { relay: 'contactorNegative', line: 5 },
  { relay: 'contactorPrecharge', line: 6 },
  { relay: 'contactorPositive', line: 13 },
  { relay: 'heater', line: 17 },
] as const;
const OPEN: FeedbackReading = {
  contactorNegative: false,
  contactorPrecharge: false,
  contactorPositive: false,
};

/** A healthy check: the relay's own feedback (when it has one) open, closed, open; the person heard it. */
function healthyCheck(relay: RelayCheckObservation['relay'], line: number): RelayCheckObservation {
  const own = relay.startsWith('contactor') ? { [relay]: true } : {};
  return {
    relay,
    line,
    feedbackBefore: OPEN,
    feedbackEnergised: { ...OPEN, ...own },
    feedbackAfter: OPEN,
    confirmed: true,
  };
}

function relaysWith(
  change: (check: RelayCheckObservation) => RelayCheckObservation = (c) => c,
): RelaysObservation {
  return {
    fitted: FITTED,
    feedbackFitted: ['contactorNegative', 'contactorPrecharge', 'contactorPositive'],
    confirmedDisconnected: true,
    interrupted: false,
    checks: FITTED.map(({ relay, line }) => change(healthyCheck(relay, line))),
  };
}

const report = (relays: RelaysObservation | null): DoctorReport =>
  doctorReportSchema.parse(diagnose({ ...healthyObservations(), relays }));
const relayFindings = (r: DoctorReport) =>
  r.findings.filter((f) => f.id.startsWith('relay')).map((f) => [f.id, f.severity, f.title]);

describe('diagnose: --relays', () => {
  it('every relay clicked and every feedback followed: ok per relay, all good; the report lists each check', () => {
    const r = report(relaysWith());
    expect(relayFindings(r)).toEqual([
      ['relay-ok', 'ok', 'contactorNegative (line 5) clicked; its feedback followed (open, closed, open)'],
      ['relay-ok', 'ok', 'contactorPrecharge (line 6) clicked; its feedback followed (open, closed, open)'],
      ['relay-ok', 'ok', 'contactorPositive (line 13) clicked; its feedback followed (open, closed, open)'],
      ['relay-ok', 'ok', 'heater (line 17) clicked'],
    ]);
    expect(r.summary).toBe('all good');
    expect(r.relays?.checks[2]).toEqual({
      relay: 'contactorPositive',
      line: 13,
      confirmed: true,
      feedback: { before: false, energised: true, after: false },
    });
    expect(r.relays?.checks[3].feedback).toBeNull();
  });

  it('not asked: nothing; asked but not confirmed disconnected: a warning and no check; none fitted: a warning', () => {
    expect(relayFindings(report(null))).toEqual([]);
    expect(report(null).relays).toBeNull();
    const unconfirmed = report({ ...relaysWith(), confirmedDisconnected: false, checks: [] });
    expect(relayFindings(unconfirmed)).toEqual([
      ['relays-not-confirmed', 'warning', 'relays not checked: the battery was not confirmed disconnected'],
    ]);
    expect(relayFindings(report({ ...relaysWith(), fitted: [], checks: [] }))[0][0]).toBe(
      'relays-none-fitted',
    );
  });

  it('feedback lines swapped between precharge and positive: crossed, naming both and the settings to swap', () => {
    const crossed = report(
      relaysWith((check) => {
        if (check.relay === 'contactorPrecharge')
          return { ...check, feedbackEnergised: { ...OPEN, contactorPositive: true } };
        if (check.relay === 'contactorPositive')
          return { ...check, feedbackEnergised: { ...OPEN, contactorPrecharge: true } };
        return check;
      }),
    );
    const problems = crossed.findings.filter((f) => f.severity === 'problem');
    expect(problems.map((f) => [f.id, f.title])).toEqual([
      [
        'relay-feedback-crossed',
        'switching contactorPrecharge (line 6) closed the feedback of contactorPositive, not its own',
      ],
      [
        'relay-feedback-crossed',
        'switching contactorPositive (line 13) closed the feedback of contactorPrecharge, not its own',
      ],
    ]);
    expect(problems[0].fix).toBe(
      'Swap gpio.contactorPrechargeFeedbackPin with gpio.contactorPositiveFeedbackPin (or the wires), then run --relays again.',
    );
    expect(crossed.exitCode).toBe(1);
  });

  it('a feedback that reads closed with everything off (welded, or read the wrong way round): stuck closed', () => {
    // The negative contactor's feedback reads closed before every check.
    const r = report(
      relaysWith((check) => ({ ...check, feedbackBefore: { ...OPEN, contactorNegative: true } })),
    );
    const stuck = r.findings.filter((f) => f.id === 'relay-feedback-stuck-closed');
    expect(stuck.map((f) => f.title)).toEqual([
      "contactorNegative's feedback reads closed while every output is off",
    ]);
    expect(stuck[0].fix).toContain('gpio.feedbackActiveLow');
  });

  it('a relay that did not click: without feedback a problem naming the line and gpio.activeLow; with its feedback following, a warning', () => {
    const heater = report(relaysWith((c) => (c.relay === 'heater' ? { ...c, confirmed: false } : c)));
    expect(
      heater.findings.filter((f) => f.id === 'relay-silent').map((f) => [f.severity, f.title, f.fix]),
    ).toEqual([
      [
        'problem',
        'heater (line 17) was switched on and off, but the answer was that it has not clicked',
        'Check the relay driver on line 17 (its supply, the wiring), the line number in gpio.heaterPin, and gpio.activeLow (a driver that energises on LOW).',
      ],
    ]);
    const quiet = report(
      relaysWith((c) => (c.relay === 'contactorPositive' ? { ...c, confirmed: false } : c)),
    );
    expect(quiet.findings.filter((f) => f.id === 'relay-silent').map((f) => f.severity)).toEqual(['warning']);
  });

  it("neither a click nor its feedback: stuck open, pointing at the driver; a click but no feedback: at the contact's wiring", () => {
    const dead = report(
      relaysWith((c) =>
        c.relay === 'contactorNegative' ? { ...c, confirmed: false, feedbackEnergised: OPEN } : c,
      ),
    );
    const [finding] = dead.findings.filter((f) => f.id === 'relay-feedback-stuck-open');
    expect(finding.fix).toBe('Check the driver of line 5, the coil supply, and gpio.activeLow.');
    const unwired = report(
      relaysWith((c) => (c.relay === 'contactorNegative' ? { ...c, feedbackEnergised: OPEN } : c)),
    );
    expect(unwired.findings.filter((f) => f.id === 'relay-feedback-stuck-open')[0].title).toBe(
      "contactorNegative's feedback stayed open while contactorNegative (line 5) was on (it clicked)",
    );
  });

  it('stopped half way: the relays not reached are named', () => {
    const all = relaysWith();
    const r = report({ ...all, interrupted: true, checks: all.checks.slice(0, 2) });
    expect(r.findings.filter((f) => f.id === 'relays-interrupted').map((f) => f.title)).toEqual([
      'the relay check was stopped; not checked: contactorPositive (line 13) and heater (line 17)',
    ]);
  });
});
