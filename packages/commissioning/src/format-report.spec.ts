import { diagnose, formatDoctorReport } from './index';
import { healthyObservations, withModuleScans } from './testing';

describe('formatDoctorReport', () => {
  it('a healthy pack: one ✓ line per finding and "all good" last', () => {
    const text = formatDoctorReport(diagnose(healthyObservations({ modules: 1, scans: 2 })));
    expect(text.split('\n')).toEqual([
      '✓ serial port /dev/ttyUSB0 open; the loop answers cleanly at 612500 baud',
      '✓ discovery: 1 of 1 modules answer (addresses 1, kept)',
      '✓ module 1: ok, 2 of 2 readings; cells 3.900 V–3.900 V; thermistors 24.0 °C and 26.0 °C; module 23.40 V (cells add up to 23.40 V)',
      '✓ protected configuration registers answer on module 1',
      '',
      '✓ all good',
    ]);
  });

  it('a problem: ✗ with its detail and fix wrapped and indented, the summary marked ✗', () => {
    const o = withModuleScans(healthyObservations({ modules: 1, scans: 2 }), 1, (scan) => ({
      ...scan,
      thermistorsC: [24, -100],
    }));
    const lines = formatDoctorReport(diagnose(o), { width: 60 }).split('\n');
    expect(lines).toContain('✗ module 1, thermistor 2 reads \u2212100 °C: open (unplugged or broken wire)');
    expect(
      lines.filter((l) => l.startsWith('    ')).every((l) => l.length <= 60 || !l.trim().includes(' ')),
    ).toBe(true);
    expect(lines.some((l) => l.startsWith('    → Check the plug of thermistor 2'))).toBe(true);
    expect(lines[lines.length - 1]).toMatch(/^✗ 1 problem: module 1, thermistor 2/);
  });

  it('shows the detail of ok findings on request', () => {
    const text = formatDoctorReport(diagnose(healthyObservations({ modules: 1, scans: 1 })), {
      okDetails: true,
    });
    expect(text).toContain('    Every expected address answered its probe');
  });
});
