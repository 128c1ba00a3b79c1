import {
  ALL_GOOD,
  chooseLineRate,
  diagnose,
  lineQuality,
  lineRateCandidates,
  needsSecondLook,
  type RateProbeObservation,
  type CanObservation,
  doctorReportSchema,
  doctorSettings,
  type DoctorObservations,
  type DoctorReport,
  type Finding,
  type FindingId,
} from './index';
import {
  healthyObservations,
  healthyScan,
  rateProbe,
  linkCounters,
  withModule,
  withModuleScans,
} from './testing';

/** The report, checked against the published schema on the way. */
function report(observations: DoctorObservations, settings = doctorSettings()): DoctorReport {
  return doctorReportSchema.parse(diagnose(observations, settings));
}

function only(r: DoctorReport, id: FindingId): Finding {
  const found = r.findings.filter((f) => f.id === id);
  expect(found).toHaveLength(1);
  return found[0];
}

const ids = (r: DoctorReport) => r.findings.map((f) => f.id);
const notOk = (r: DoctorReport) => r.findings.filter((f) => f.severity !== 'ok');

describe('diagnose: a healthy pack', () => {
  it('says "all good", exits 0 and has one ok finding per module', () => {
    const r = report(healthyObservations());
    expect(r.summary).toBe(ALL_GOOD);
    expect(r.exitCode).toBe(0);
    expect(r.counts).toEqual({ ok: 7, warning: 0, problem: 0 });
    expect(ids(r)).toEqual([
      'serial-opened',
      'discovery-ok',
      'module-ok',
      'module-ok',
      'module-ok',
      'module-ok',
      'hardware-thresholds',
    ]);
    expect(r.modules.map((m) => [m.address, m.status])).toEqual([
      [1, 'ok'],
      [2, 'ok'],
      [3, 'ok'],
      [4, 'ok'],
    ]);
    expect(r.findings[2].title).toBe(
      'module 1: ok, 20 of 20 readings; cells 3.900 V–3.900 V; thermistors 24.0 °C and 26.0 °C; module 23.40 V (cells add up to 23.40 V)',
    );
    expect(only(r, 'hardware-thresholds').detail).toContain(
      'modules 1–4: COV 4.45 V, CUV 1.50 V, OT 65 °C / 65 °C',
    );
  });

  it('puts the medians and counters of each module in the report', () => {
    const [first] = report(healthyObservations({ modules: 1, scans: 3 })).modules;
    expect(first).toEqual({
      address: 1,
      status: 'ok',
      scans: 3,
      readings: 3,
      link: linkCounters({ framesOk: 3 }),
      errorRate: 0,
      cellsV: [3.9, 3.9, 3.9, 3.9, 3.9, 3.9],
      thermistorsC: [24, 26],
      moduleVoltageV: expect.closeTo(23.4, 9),
      cellSumV: expect.closeTo(23.4, 9),
      protectedRegisters: 'answered',
      configRegisters: [0x10, 0x80, 0x31, 0x81, 0x08, 0x81, 0x66, 0xff],
    });
  });
});

describe('diagnose: the serial port', () => {
  it('names a port that does not open, and checks nothing else', () => {
    const r = report({
      ...healthyObservations(),
      serial: {
        path: '/dev/ttyUSB9',
        baudRate: 612500,
        opened: false,
        error: 'No such file',
        rateProbes: [],
        checkedAtBaud: 612500,
        framingErrors: null,
      },
      discovery: null,
      conversions: null,
      modules: [],
    });
    expect(ids(r)).toEqual(['serial-open-failed']);
    expect(r.findings[0].title).toBe('cannot open /dev/ttyUSB9: No such file');
    expect(r.findings[0].fix).toContain('sudo systemctl stop tsbms-controller');
    expect(r.exitCode).toBe(1);
    expect(r.modules).toEqual([]);
  });

  const withSerial = (serial: Partial<DoctorObservations['serial']>) => {
    const healthy = healthyObservations();
    return report({ ...healthy, serial: { ...healthy.serial, ...serial } });
  };

  it('a clean line at the rate asked: one ok finding naming the rates and the closed loop', () => {
    const r = report(healthyObservations());
    expect(ids(r).filter((id) => id.startsWith('serial') || id.includes('baud'))).toEqual(['serial-opened']);
    expect(only(r, 'serial-opened').title).toBe(
      'serial port /dev/ttyUSB0 open; the loop answers cleanly at 612500 baud',
    );
    expect(only(r, 'serial-opened').detail).toContain('612500 clean; 617647 clean');
    expect(only(r, 'serial-opened').detail).toContain('came back unchanged: the loop is closed');
    expect(r.serial.rates[0]).toEqual({
      baudRate: 612500,
      quality: 'clean',
      transactions: 6,
      clean: 6,
      framingErrors: 0,
    });
  });

  it('garbled at the rate asked, clean at another: a problem naming the rate to set', () => {
    const r = withSerial({
      rateProbes: [rateProbe(612500, 'garbled'), rateProbe(617647, 'clean'), rateProbe(615385, 'garbled')],
      checkedAtBaud: 617647,
    });
    expect(only(r, 'baud-rate-mismatch')).toMatchObject({
      severity: 'problem',
      title: 'the boards answer at 617647 baud, not at the 612500 asked',
      fix: 'Set serial.baudRate: 617647 in the config (or start with --baud 617647).',
    });
    expect(only(r, 'baud-rate-mismatch').detail).toContain(
      'garbled (6 of 6 transactions failed, 7 framing errors)',
    );
    expect(r.exitCode).toBe(1);
  });

  it('the rate asked garbled at first and clean when tried again: no problem, the detail says so', () => {
    const r = withSerial({
      rateProbes: [rateProbe(612500, 'garbled'), rateProbe(617647, 'clean'), rateProbe(612500, 'clean')],
    });
    expect(notOk(r)).toEqual([]);
    expect(only(r, 'serial-opened').detail).toContain('612500 clean when tried again');
  });

  it('garbled at every rate: line-garbled; silent at every rate: left to discovery (loop-silent)', () => {
    const garbled = withSerial({ rateProbes: [rateProbe(612500, 'garbled'), rateProbe(617647, 'garbled')] });
    expect(only(garbled, 'line-garbled').severity).toBe('problem');
    const silent = withSerial({ rateProbes: [rateProbe(612500, 'silent'), rateProbe(617647, 'silent')] });
    expect(ids(silent)).not.toContain('line-garbled');
    expect(only(silent, 'serial-opened').detail).toContain('never came back: the loop is open');
  });

  it('framing errors during the checks at a clean rate: a warning; a port without counters says so', () => {
    expect(only(withSerial({ framingErrors: 3 }), 'framing-errors')).toMatchObject({
      severity: 'warning',
      title: 'the port counted 3 framing errors during the checks at 612500 baud',
    });
    expect(ids(withSerial({ framingErrors: 0 }))).not.toContain('framing-errors');
    expect(only(withSerial({ framingErrors: null }), 'serial-opened').detail).toContain(
      'this port does not count them',
    );
  });

  it('the rates to try: the one asked first, each candidate once; the choice prefers the one asked', () => {
    expect(lineRateCandidates(612500)).toEqual([612500, 617647, 615385, 631000, 625000, 600000]);
    expect(lineRateCandidates(500000)[0]).toBe(500000);
    expect(chooseLineRate(612500, [rateProbe(612500, 'clean'), rateProbe(617647, 'clean')])).toBe(612500);
    expect(chooseLineRate(612500, [rateProbe(612500, 'silent'), rateProbe(617647, 'clean')])).toBe(617647);
    expect(chooseLineRate(612500, [rateProbe(612500, 'garbled'), rateProbe(617647, 'silent')])).toBe(612500);
    // A second look at the rate asked decides: a slow first exchange does not move the user off it.
    const garbledThenClean = [rateProbe(612500, 'garbled'), rateProbe(617647, 'clean')];
    expect(needsSecondLook(612500, garbledThenClean)).toBe(true);
    expect(needsSecondLook(612500, [...garbledThenClean, rateProbe(612500, 'clean')])).toBe(false);
    expect(needsSecondLook(612500, [rateProbe(612500, 'clean'), rateProbe(617647, 'clean')])).toBe(false);
    expect(needsSecondLook(612500, [rateProbe(612500, 'silent'), rateProbe(617647, 'silent')])).toBe(false);
    expect(chooseLineRate(612500, [...garbledThenClean, rateProbe(612500, 'clean')])).toBe(612500);
    expect(chooseLineRate(612500, [...garbledThenClean, rateProbe(612500, 'garbled')])).toBe(617647);
    const closed: RateProbeObservation = { ...rateProbe(612500, 'clean'), opened: false, error: 'EINVAL' };
    expect(lineQuality(closed)).toBe('closed');
    expect(lineQuality({ ...rateProbe(612500, 'clean'), framingErrors: 1 })).toBe('garbled');
  });
});

describe('diagnose: discovery', () => {
  const discoveryOf = (o: DoctorObservations) => {
    if (o.discovery === null) throw new Error('no discovery');
    return o.discovery;
  };
  const withDiscovery = (change: Partial<NonNullable<DoctorObservations['discovery']>>, modules = 0) => {
    const o = healthyObservations();
    return {
      ...o,
      discovery: { ...discoveryOf(o), ...change },
      conversions: modules === 0 ? null : o.conversions,
      modules: o.modules.slice(0, modules),
    };
  };

  it('a silent loop: nothing answers, not even address 0; says it cannot tell which module and how to find it', () => {
    const r = report(
      withDiscovery({
        probes: [1, 2, 3, 4].map((address) => ({ address, answered: false, failure: 'TIMEOUT' as const })),
        unaddressed: { answered: false, failure: 'TIMEOUT' },
        addresses: [],
      }),
    );
    expect(ids(r)).toEqual(['serial-opened', 'loop-silent']);
    const silent = only(r, 'loop-silent');
    expect(silent.title).toBe('discovery found 0 of 4 modules: nothing comes back, the loop is open');
    expect(silent.detail).toContain('cannot tell which module');
    expect(silent.fix).toContain('--modules 1');
    expect(r.modules.map((m) => m.status)).toEqual([
      'not-checked',
      'not-checked',
      'not-checked',
      'not-checked',
    ]);
    expect(r.exitCode).toBe(1);
  });

  it('a bridged loop: every request comes back unchanged', () => {
    const r = report(
      withDiscovery({
        probes: [1, 2, 3, 4].map((address) => ({
          address,
          answered: false,
          failure: 'NO_SUCH_MODULE' as const,
        })),
        unaddressed: { answered: false, failure: 'NO_SUCH_MODULE' },
        addresses: [],
      }),
    );
    expect(ids(r)).toEqual(['serial-opened', 'loop-bridged']);
  });

  it('garbled replies from every address: the baud rate or the levels', () => {
    const r = report(
      withDiscovery({
        probes: [1, 2, 3, 4].map((address) => ({ address, answered: false, failure: 'BAD_FRAME' as const })),
        unaddressed: { answered: false, failure: 'BAD_FRAME' },
        addresses: [],
      }),
    );
    expect(only(r, 'loop-noise').fix).toContain('--baud 617647');
  });

  it('boards without addresses: renumbering needed, nothing renumbered', () => {
    const r = report(
      withDiscovery({
        probes: [1, 2, 3, 4].map((address) => ({
          address,
          answered: false,
          failure: 'NO_SUCH_MODULE' as const,
        })),
        unaddressed: { answered: true },
        addresses: [],
      }),
    );
    const needed = only(r, 'renumbering-needed');
    expect(needed.title).toContain('renumbering needed');
    expect(needed.fix).toContain('--fix-addresses');
    expect(r.pack.renumbered).toBe(false);
  });

  it('one board reset in the middle: module 3 needs renumbering, 1, 2 and 4 answer', () => {
    const r = report(
      withDiscovery(
        {
          probes: [
            { address: 1, answered: true },
            { address: 2, answered: true },
            { address: 3, answered: false, failure: 'NO_SUCH_MODULE' },
            { address: 4, answered: true },
          ],
          unaddressed: { answered: true },
          addresses: [1, 2, 4],
        },
        0,
      ),
    );
    expect(only(r, 'renumbering-needed')).toMatchObject({
      module: 3,
      title: 'discovery found 3 of 4 modules: module 3 does not answer at its address (renumbering needed)',
    });
  });

  it('the last two boards lost their addresses: both need renumbering, neither is called missing', () => {
    const r = report(
      withDiscovery(
        {
          probes: [
            { address: 1, answered: true },
            { address: 2, answered: true },
            { address: 3, answered: false, failure: 'NO_SUCH_MODULE' },
            { address: 4, answered: false, failure: 'NO_SUCH_MODULE' },
          ],
          unaddressed: { answered: true },
          addresses: [1, 2],
        },
        2,
      ),
    );
    expect(notOk(r).map((f) => [f.id, f.module])).toEqual([
      ['renumbering-needed', 3],
      ['renumbering-needed', 4],
    ]);
    expect(notOk(r)[0].detail).toContain('a board without an address answers at address 0');
  });

  it('the loop closes after module 2: modules 3 and 4 are each named as missing', () => {
    const r = report(
      withDiscovery(
        {
          probes: [
            { address: 1, answered: true },
            { address: 2, answered: true },
            { address: 3, answered: false, failure: 'NO_SUCH_MODULE' },
            { address: 4, answered: false, failure: 'NO_SUCH_MODULE' },
          ],
          unaddressed: { answered: false, failure: 'NO_SUCH_MODULE' },
          addresses: [1, 2],
        },
        2,
      ),
    );
    const missing = r.findings.filter((f) => f.id === 'module-missing');
    expect(missing.map((f) => [f.module, f.title])).toEqual([
      [3, 'discovery found 2 of 4 modules: module 3 is not on the loop (the loop closes after module 2)'],
      [4, 'discovery found 2 of 4 modules: module 4 is not on the loop (the loop closes after module 2)'],
    ]);
    expect(missing[0].fix).toContain('--modules 2');
    expect(r.modules.map((m) => [m.address, m.status])).toEqual([
      [1, 'ok'],
      [2, 'ok'],
      [3, 'problem'],
      [4, 'problem'],
    ]);
  });

  it('a module that gives no reply while the others answer, and one whose replies are all damaged', () => {
    const r = report(
      withDiscovery(
        {
          probes: [
            { address: 1, answered: true },
            { address: 2, answered: false, failure: 'CRC' },
            { address: 3, answered: false, failure: 'TIMEOUT' },
            { address: 4, answered: true },
          ],
          unaddressed: { answered: false, failure: 'NO_SUCH_MODULE' },
          addresses: [1, 4],
        },
        0,
      ),
    );
    const notAnswering = r.findings.filter((f) => f.id === 'module-not-answering');
    expect(notAnswering.map((f) => [f.module, f.title])).toEqual([
      [2, 'discovery found 2 of 4 modules: module 2 answers only with damaged replies (CRC errors)'],
      [3, 'discovery found 2 of 4 modules: module 3 does not answer (unpowered, hung, or too slow)'],
    ]);
  });

  it('--fix-addresses: renumbered, with a module missing after the chain end', () => {
    const r = report(
      withDiscovery(
        {
          probes: [1, 2, 3, 4].map((address) => ({
            address,
            answered: false,
            failure: 'NO_SUCH_MODULE' as const,
          })),
          unaddressed: { answered: true },
          renumbering: { addresses: [1, 2, 3], end: 'chainEnd' },
          addresses: [1, 2, 3],
        },
        3,
      ),
    );
    expect(only(r, 'addresses-assigned')).toMatchObject({
      severity: 'ok',
      title: 'addresses assigned: 3 modules at 1–3 (--fix-addresses)',
    });
    expect(only(r, 'module-missing').module).toBe(4);
    expect(r.pack.renumbered).toBe(true);
    expect(ids(r)).not.toContain('renumbering-needed');
  });

  it('--fix-addresses: all there is a clean run; a stop names the module; more than expected is a warning', () => {
    const clean = report(
      withDiscovery(
        {
          probes: [1, 2, 3, 4].map((address) => ({
            address,
            answered: false,
            failure: 'NO_SUCH_MODULE' as const,
          })),
          unaddressed: { answered: true },
          renumbering: { addresses: [1, 2, 3, 4], end: 'chainEnd' },
          addresses: [1, 2, 3, 4],
        },
        4,
      ),
    );
    expect(clean.summary).toBe(ALL_GOOD);
    const stopped = report(
      withDiscovery(
        {
          renumbering: { addresses: [1], end: 'error', error: 'TIMEOUT after 3 attempt(s)' },
          addresses: [1],
        },
        1,
      ),
    );
    expect(only(stopped, 'renumbering-failed')).toMatchObject({
      module: 2,
      title: 'renumbering stopped at module 2: TIMEOUT after 3 attempt(s)',
    });
    const none = report(withDiscovery({ renumbering: { addresses: [], end: 'chainEnd' }, addresses: [] }));
    expect(ids(none)).toContain('loop-bridged');
    const more = report(
      withDiscovery(
        { renumbering: { addresses: [1, 2, 3, 4, 5], end: 'chainEnd' }, addresses: [1, 2, 3, 4, 5] },
        4,
      ),
    );
    expect(only(more, 'module-count-differs').severity).toBe('warning');
  });
});

describe('diagnose: transmission errors', () => {
  /** Module `address` had `crc` CRC errors (each retried) over 20 scans, every scan read in the end. */
  const crcOn = (o: DoctorObservations, address: number, crcScans: number) =>
    withModuleScans(o, address, (scan, i) =>
      i < crcScans ? { ...scan, link: linkCounters({ framesOk: 1, crcErrors: 1, retries: 1 }) } : scan,
    );

  it('CRC errors on one module: named with its count, and placed on its own board', () => {
    const r = report(crcOn(healthyObservations(), 2, 14));
    const errors = only(r, 'link-errors');
    expect(errors).toMatchObject({
      module: 2,
      severity: 'problem',
      title: 'module 2: 14 of 34 replies had CRC errors',
    });
    expect(errors.detail).toContain("Only module 2's own replies are damaged");
    expect(errors.detail).toContain('on its board');
    expect(r.modules[1].status).toBe('problem');
    expect(r.modules[1].errorRate).toBeCloseTo(14 / 34, 9);
    expect(r.exitCode).toBe(1);
    expect(r.summary).toBe('1 problem: module 2: 14 of 34 replies had CRC errors');
  });

  it('a rare error is a warning; at 5 % it is a problem', () => {
    const rare = report(crcOn(healthyObservations({ scans: 100 }), 1, 1));
    expect(only(rare, 'link-errors').severity).toBe('warning');
    expect(rare.exitCode).toBe(0);
    expect(rare.summary).toBe('1 warning: module 1: 1 of 101 replies had CRC errors');
    const settings = doctorSettings({ linkErrorProblemRate: 0.005 });
    expect(
      only(report(crcOn(healthyObservations({ scans: 100 }), 1, 1), settings), 'link-errors').severity,
    ).toBe('problem');
  });

  it('a module that misses requests is named for the lost replies, and a scan without a reading is a problem', () => {
    const o = withModuleScans(healthyObservations({ scans: 100 }), 3, (scan, i) =>
      i === 0 ? { ...scan, commsOk: false, link: linkCounters({ timeouts: 3, retries: 2 }) } : scan,
    );
    const errors = only(report(o), 'link-errors');
    expect(errors).toMatchObject({
      module: 3,
      severity: 'problem',
      title: 'module 3: 3 of 102 requests got no reply',
    });
    expect(errors.detail).toContain('module 3 itself drops them');
  });

  it('garbled replies are named as such', () => {
    const o = withModuleScans(healthyObservations(), 1, (scan, i) =>
      i < 5 ? { ...scan, link: linkCounters({ framesOk: 1, badFrames: 1, retries: 1 }) } : scan,
    );
    expect(only(report(o), 'link-errors').title).toBe('module 1: 5 of 25 replies were garbled');
  });

  it('errors on several modules: a loop-noise finding naming the cable the pattern points to', () => {
    // Replies of modules 1 and 2 damaged, requests to 3 and 4 lost: the cable between 2 and 3.
    let o = crcOn(crcOn(healthyObservations(), 1, 5), 2, 5);
    for (const address of [3, 4])
      o = withModuleScans(o, address, (scan, i) =>
        i < 5 ? { ...scan, link: linkCounters({ framesOk: 1, timeouts: 1, retries: 1 }) } : scan,
      );
    const r = report(o);
    const noise = only(r, 'loop-noise');
    expect(noise.title).toBe('transmission errors on modules 1–4');
    expect(noise.detail).toContain('the cable between module 2 and module 3');
    expect(r.findings.filter((f) => f.id === 'link-errors').map((f) => f.module)).toEqual([1, 2, 3, 4]);
    expect(r.findings.find((f) => f.id === 'link-errors')?.detail).toContain('see the loop-noise finding');
  });

  it('errors on every reply: the cable back to the host; without a pattern: the adapter', () => {
    let all = healthyObservations();
    for (const address of [1, 2, 3, 4]) all = crcOn(all, address, 3);
    expect(only(report(all), 'loop-noise').detail).toContain('the cable from module 4 back to the host');
    const mixed = withModuleScans(crcOn(healthyObservations(), 1, 3), 2, (scan, i) =>
      i < 3 ? { ...scan, link: linkCounters({ framesOk: 1, timeouts: 1, crcErrors: 1 }) } : scan,
    );
    expect(only(report(mixed), 'loop-noise').detail).toContain('do not follow the pattern of one cable');
  });

  it('a failed convert broadcast and failed conversion broadcasts are named', () => {
    const some = report({ ...healthyObservations(), scanBroadcastFailures: 3 });
    expect(only(some, 'scan-broadcast-failed')).toMatchObject({
      severity: 'problem',
      title: 'the convert broadcast did not come back in 3 of 20 scans',
    });
    expect(
      only(
        report({ ...healthyObservations({ scans: 100 }), scanBroadcastFailures: 1 }),
        'scan-broadcast-failed',
      ).severity,
    ).toBe('warning');
    const off = report({ ...healthyObservations(), conversions: { enabled: false, error: 'TIMEOUT' } });
    expect(only(off, 'conversions-failed').detail).toContain('TIMEOUT');
  });

  it('a module whose conversion is never ready', () => {
    const o = withModuleScans(healthyObservations(), 4, (scan) => ({ ...scan, commsOk: false }));
    expect(only(report(o), 'no-reading')).toMatchObject({
      module: 4,
      title: 'module 4: its conversion was not ready in 20 of 20 scans',
    });
  });
});

describe('diagnose: readings', () => {
  const thermistor = (o: DoctorObservations, address: number, index: number, celsius: number) =>
    withModuleScans(o, address, (scan) => ({
      ...scan,
      thermistorsC: scan.thermistorsC.map((t, i) => (i === index ? celsius : t)),
    }));

  it('an open thermistor: module 3, thermistor 2 reads −100 °C', () => {
    const r = report(thermistor(healthyObservations(), 3, 1, -100.3));
    expect(only(r, 'thermistor-open')).toMatchObject({
      module: 3,
      severity: 'problem',
      title: 'module 3, thermistor 2 reads \u2212100 °C: open (unplugged or broken wire)',
    });
    expect(r.modules[2].thermistorsC).toEqual([24, -100.3]);
  });

  it('a shorted thermistor, and the limits are the settings', () => {
    expect(only(report(thermistor(healthyObservations(), 1, 0, 359.7)), 'thermistor-shorted').title).toBe(
      'module 1, thermistor 1 reads 360 °C: shorted',
    );
    expect(ids(report(thermistor(healthyObservations(), 1, 0, 119)))).not.toContain('thermistor-shorted');
    expect(ids(report(thermistor(healthyObservations(), 1, 0, -39)))).not.toContain('thermistor-open');
    const strict = doctorSettings({ thermistorShortedAboveC: 100 });
    expect(ids(report(thermistor(healthyObservations(), 1, 0, 101), strict))).toContain('thermistor-shorted');
  });

  const cell = (o: DoctorObservations, address: number, index: number, voltsV: number) =>
    withModuleScans(o, address, (scan) => ({
      ...scan,
      cellsV: scan.cellsV.map((v, i) => (i === index ? voltsV : v)),
    }));

  it('a cell far from its neighbours (> 0.2 V)', () => {
    const r = report(cell(healthyObservations(), 2, 3, 3.45));
    expect(only(r, 'cell-deviates')).toMatchObject({
      module: 2,
      title: 'module 2, cell 4 reads 3.45 V, 0.45 V below the other cells of its module (3.90 V)',
    });
    expect(ids(report(cell(healthyObservations(), 2, 3, 3.71)))).not.toContain('cell-deviates');
    expect(only(report(cell(healthyObservations(), 2, 3, 4.15)), 'cell-deviates').title).toContain('above');
  });

  it('a cell outside 0.5–5.0 V is named as such, not as a deviation', () => {
    const r = report(cell(healthyObservations(), 1, 0, 0.01));
    expect(only(r, 'cell-out-of-range').title).toBe('module 1, cell 1 reads 0.01 V: outside 0.5–5 V');
    expect(ids(r)).not.toContain('cell-deviates');
  });

  it('a module voltage (GPAI) that disagrees with its cells by more than 0.5 V: a broken sense wire', () => {
    const gpai = (voltsV: number) =>
      report(withModuleScans(healthyObservations(), 2, (scan) => ({ ...scan, moduleVoltageV: voltsV })));
    expect(only(gpai(0), 'module-voltage-mismatch')).toMatchObject({
      module: 2,
      title: 'module 2: the module voltage reads 0.00 V, its cells add up to 23.40 V: a broken sense wire',
    });
    expect(ids(gpai(23.8))).not.toContain('module-voltage-mismatch');
  });

  it('readings are not judged when the conversions were not switched on', () => {
    const o = { ...thermistor(healthyObservations(), 3, 1, -100), conversions: { enabled: false } };
    expect(ids(report(o))).not.toContain('thermistor-open');
  });

  it('latched chip flags of fault or warning meaning are named; setup flags are not', () => {
    const flagged = withModuleScans(healthyObservations(), 2, (scan, i) => ({
      ...scan,
      chipFlags: i === 0 ? ['POR', 'CUV', 'CRC'] : ['POR'],
    }));
    const r = report(flagged);
    expect(only(r, 'chip-flags')).toMatchObject({
      module: 2,
      severity: 'warning',
      title: 'module 2 reports CUV (cell under-voltage), CRC (the board received a damaged frame)',
    });
    const setupOnly = withModuleScans(healthyObservations(), 2, (scan) => ({
      ...scan,
      chipFlags: ['POR', 'AR'],
    }));
    expect(report(setupOnly).summary).toBe(ALL_GOOD);
  });
});

describe('diagnose: protected configuration registers', () => {
  const unanswered = withModule(healthyObservations(), 2, (m) => ({
    ...m,
    configRegisters: {
      answered: false,
      failure: 'TIMEOUT',
      detail: 'no reply (loop silent) after 3 attempt(s)',
    },
  }));

  it('a board that answers its readings but not 0x40–0x47: set programHardwareThresholds: false', () => {
    const r = report(unanswered);
    expect(only(r, 'protected-registers-unanswered')).toMatchObject({
      module: 2,
      severity: 'problem',
      title:
        'module 2 does not answer its protected configuration registers: set programHardwareThresholds: false',
    });
    expect(r.modules[1].protectedRegisters).toBe('unanswered');
    expect(only(r, 'hardware-thresholds').title).toBe(
      'protected configuration registers answer on modules 1, 3 and 4',
    );
  });

  it('with programHardwareThresholds already false it is a warning', () => {
    const r = report(unanswered, doctorSettings({ programHardwareThresholds: false }));
    expect(only(r, 'protected-registers-unanswered').severity).toBe('warning');
    expect(r.exitCode).toBe(0);
  });

  it('a read that failed for another reason (a CRC error) is not blamed on the board', () => {
    const crc = withModule(healthyObservations(), 2, (m) => ({
      ...m,
      configRegisters: { answered: false, failure: 'CRC', detail: 'rejected reply' },
    }));
    const r = report(crc);
    expect(ids(r)).not.toContain('protected-registers-unanswered');
    expect(only(r, 'protected-registers-unread').severity).toBe('warning');
    expect(r.modules[1].protectedRegisters).toBe('unread');
  });
});

describe('diagnose: CAN', () => {
  const can: CanObservation = {
    iface: 'can0',
    opened: true,
    bitRate: 500000,
    expectedBitRate: 500000,
    listenedMs: 3000,
    framesSeen: 12,
    inverterFramesSeen: 3,
  };
  const withCan = (change: Partial<CanObservation>) =>
    report({ ...healthyObservations(), can: { ...can, ...change } });

  it('the inverter heard: ok', () => {
    const r = withCan({});
    expect(only(r, 'can-ok').title).toBe(
      "CAN interface can0 is up; the inverter's 0x305 arrived 3 times in 3 s",
    );
    expect(r.can).toEqual({
      iface: 'can0',
      opened: true,
      bitRate: 500000,
      framesSeen: 12,
      inverterFramesSeen: 3,
      listenedMs: 3000,
    });
  });

  it('an interface that is down, a wrong bit rate, a silent bus, a bus without the inverter', () => {
    const down = withCan({ opened: false, error: 'interface is down', bitRate: null });
    expect(only(down, 'can-unavailable')).toMatchObject({
      severity: 'problem',
      title: 'CAN interface can0: interface is down',
    });
    expect(only(withCan({ bitRate: 250000 }), 'can-bit-rate').title).toBe(
      'CAN interface can0 runs at 250 kbit/s, the inverter profile uses 500 kbit/s',
    );
    expect(only(withCan({ framesSeen: 0, inverterFramesSeen: 0 }), 'can-silent').severity).toBe('warning');
    expect(only(withCan({ inverterFramesSeen: 0 }), 'can-no-inverter').severity).toBe('warning');
  });
});

describe('diagnose: the report', () => {
  it('lists problems before warnings in the summary, and every module once', () => {
    let o = withModuleScans(healthyObservations(), 3, (scan) => ({ ...scan, thermistorsC: [24, -100] }));
    o = withModuleScans(o, 1, (scan, i) => (i === 0 ? { ...scan, chipFlags: ['CUV'] } : scan));
    const r = report(o);
    expect(r.summary).toBe(
      '1 problem, 1 warning: module 3, thermistor 2 reads \u2212100 °C: open (unplugged or broken wire); module 1 reports CUV (cell under-voltage)',
    );
    expect(notOk(r).map((f) => f.module)).toEqual([1, 3]);
    expect(r.modules.map((m) => m.status)).toEqual(['warning', 'ok', 'problem', 'ok']);
  });

  it('is deterministic and serialisable', () => {
    const o = healthyObservations();
    expect(JSON.parse(JSON.stringify(diagnose(o)))).toEqual(diagnose(o));
    expect(diagnose(o).observedAt).toBe('2026-12-06T06:00:00.000Z');
  });

  it('a module that was never asked (every convert broadcast failed) is not called ok', () => {
    const o = withModuleScans(
      { ...healthyObservations({ modules: 1, scans: 2 }), scanBroadcastFailures: 2 },
      1,
      (scan) => ({
        ...healthyScan(),
        commsOk: false,
        link: linkCounters({}),
        cellsV: scan.cellsV.map(() => null),
      }),
    );
    const r = report(o);
    expect(ids(r)).not.toContain('module-ok');
    expect(r.pack.scansCompleted).toBe(0);
  });
});
