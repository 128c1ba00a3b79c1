import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { diagnose, doctorReportJsonSchema, doctorReportSchema, FINDING_IDS } from './index';
import { healthyObservations } from './testing';

const SCHEMA_FILE = path.join(__dirname, '..', 'doctor-report.schema.json');

describe('the report schema', () => {
  it('doctor-report.schema.json is the JSON Schema of the zod schema (UPDATE_DOCTOR_REPORT_SCHEMA=1 rewrites it)', () => {
    const generated = doctorReportJsonSchema();
    if (process.env.UPDATE_DOCTOR_REPORT_SCHEMA === '1')
      writeFileSync(SCHEMA_FILE, `${JSON.stringify(generated, null, 2)}\n`);
    expect(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'))).toEqual(generated);
  });

  it('documents every finding id and the fields of a finding', () => {
    const text = readFileSync(SCHEMA_FILE, 'utf8');
    for (const id of FINDING_IDS) expect(text).toContain(`"${id}"`);
    const schema = doctorReportJsonSchema() as {
      title: string;
      required: string[];
      properties: { findings: { items: { required: string[] } } };
    };
    expect(schema.title).toBe('tsBMS doctor report');
    expect(schema.properties.findings.items.required).toEqual(['id', 'severity', 'title', 'detail', 'fix']);
    expect(schema.required).toEqual(
      expect.arrayContaining(['schemaVersion', 'summary', 'exitCode', 'findings', 'modules']),
    );
  });

  it('accepts what diagnose makes and refuses what it never makes', () => {
    const report = diagnose(healthyObservations());
    expect(doctorReportSchema.safeParse(report).success).toBe(true);
    const refused = [
      { ...report, exitCode: 2 },
      { ...report, schemaVersion: 1 },
      { ...report, surprise: true },
      { ...report, pack: { ...report.pack, surprise: true } },
      { ...report, findings: [{ ...report.findings[0], surprise: true }] },
      { ...report, findings: [{ ...report.findings[0], id: 'meltdown' }] },
      { ...report, findings: [{ ...report.findings[0], severity: 'fatal' }] },
      { ...report, findings: [{ ...report.findings[0], module: 63 }] },
      { ...report, observedAt: 'yesterday' },
    ];
    for (const bad of refused) expect(doctorReportSchema.safeParse(bad).success).toBe(false);
  });
});
