import * as fc from 'fast-check';
import {
  configFields,
  configPatch,
  fieldForIssue,
  fieldText,
  GENERAL_SECTION,
  issuesByField,
  parseFieldText,
} from '../site/config-form.js';

const CONFIG = {
  pollIntervalS: 1,
  stateFile: null,
  cells: { cellHighVoltageV: 4.1, cellLowVoltageV: 3.6 },
  balancing: { enabled: true },
  soc: { ocvTable: [{ voltageV: 3.6, socPercent: 0 }] },
  mqtt: { url: 'mqtt://broker:1883', password: '***', reconnect: { initialDelayS: 1 } },
};

const fields = configFields(CONFIG);
const byPath = (path) => fields.find((f) => f.path === path);
const PATHS = fields.map((f) => f.path);

describe('configFields', () => {
  it('flattens sections to dotted paths with a kind, tables as one field', () => {
    expect(fields.map((f) => [f.path, f.section, f.kind])).toEqual([
      ['pollIntervalS', GENERAL_SECTION, 'number'],
      ['stateFile', GENERAL_SECTION, 'nullable'],
      ['cells.cellHighVoltageV', 'cells', 'number'],
      ['cells.cellLowVoltageV', 'cells', 'number'],
      ['balancing.enabled', 'balancing', 'boolean'],
      ['soc.ocvTable', 'soc', 'json'],
      ['mqtt.url', 'mqtt', 'string'],
      ['mqtt.password', 'mqtt', 'secret'],
      ['mqtt.reconnect.initialDelayS', 'mqtt', 'number'],
    ]);
  });

  it('starts each input with the running value, secrets and nulls empty', () => {
    expect(fieldText(byPath('cells.cellHighVoltageV'))).toBe('4.1');
    expect(fieldText(byPath('soc.ocvTable'))).toBe('[{"voltageV":3.6,"socPercent":0}]');
    expect(fieldText(byPath('mqtt.password'))).toBe('');
    expect(fieldText(byPath('stateFile'))).toBe('');
  });
});

describe('parseFieldText', () => {
  it('reads numbers, and sends anything else as typed for the server to reject', () => {
    expect(parseFieldText('number', ' 4.15 ')).toBe(4.15);
    expect(parseFieldText('number', '4,15')).toBe('4,15');
    expect(parseFieldText('number', 'high')).toBe('high');
  });

  it('reads an empty input as null', () => {
    for (const kind of ['number', 'string', 'nullable', 'json', 'secret'])
      expect(parseFieldText(kind, '  ')).toBeNull();
  });

  it('reads a null setting and a table as JSON when it is JSON, as text otherwise', () => {
    expect(parseFieldText('nullable', '5')).toBe(5);
    expect(parseFieldText('nullable', '"5"')).toBe('5');
    expect(parseFieldText('nullable', '/var/lib/tsbms/state.json')).toBe('/var/lib/tsbms/state.json');
    expect(parseFieldText('json', '[{"voltageV":3.5,"socPercent":0}]')).toEqual([
      { voltageV: 3.5, socPercent: 0 },
    ]);
    expect(parseFieldText('json', '[{')).toBe('[{');
  });

  it('gives back every finite number its input showed', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
        const field = { path: 'x', kind: 'number', value: n };
        expect(parseFieldText('number', fieldText(field))).toBe(n === 0 ? 0 : n);
      }),
    );
  });

  it('keeps a string as typed, spaces included', () => {
    expect(parseFieldText('string', ' tsbms ')).toBe(' tsbms ');
    expect(parseFieldText('boolean', 'true')).toBe(true);
    expect(parseFieldText('boolean', 'false')).toBe(false);
  });
});

describe('configPatch', () => {
  const unchanged = () => new Map(fields.map((f) => [f.path, f.kind === 'secret' ? null : f.value]));

  it('is null when nothing changed (an untouched secret included)', () => {
    expect(configPatch(fields, unchanged())).toBeNull();
  });

  it('holds only the changed fields, in the file shape', () => {
    const values = unchanged();
    values.set('cells.cellHighVoltageV', 4.15);
    values.set('mqtt.reconnect.initialDelayS', 2);
    values.set('balancing.enabled', false);
    expect(configPatch(fields, values)).toEqual({
      cells: { cellHighVoltageV: 4.15 },
      mqtt: { reconnect: { initialDelayS: 2 } },
      balancing: { enabled: false },
    });
  });

  it('sends a new secret, a cleared setting and a bad value as they are', () => {
    const values = unchanged();
    values.set('mqtt.password', 'hunter2');
    values.set('mqtt.url', null);
    values.set('pollIntervalS', 'fast');
    expect(configPatch(fields, values)).toEqual({
      mqtt: { password: 'hunter2', url: null },
      pollIntervalS: 'fast',
    });
  });

  it('compares tables by content', () => {
    const values = unchanged();
    values.set('soc.ocvTable', [{ voltageV: 3.6, socPercent: 0 }]);
    expect(configPatch(fields, values)).toBeNull();
    values.set('soc.ocvTable', [{ voltageV: 3.5, socPercent: 0 }]);
    expect(configPatch(fields, values)).toEqual({ soc: { ocvTable: [{ voltageV: 3.5, socPercent: 0 }] } });
  });

  it('contains exactly the fields whose value changed', () => {
    const numeric = fields.filter((f) => f.kind === 'number');
    fc.assert(
      fc.property(
        fc.subarray(numeric),
        fc.double({ min: 1000, max: 2000, noNaN: true }),
        (changed, value) => {
          const values = unchanged();
          for (const f of changed) values.set(f.path, value);
          const patch = configPatch(fields, values) ?? {};
          const leaves = configFields(patch).map((f) => f.path);
          expect(leaves.sort()).toEqual(changed.map((f) => f.path).sort());
        },
      ),
    );
  });
});

describe('fieldForIssue', () => {
  it('puts an issue at its own field', () => {
    expect(fieldForIssue('cells.cellHighVoltageV', PATHS)).toBe('cells.cellHighVoltageV');
    expect(fieldForIssue('mqtt.reconnect.initialDelayS', PATHS)).toBe('mqtt.reconnect.initialDelayS');
  });

  it('puts an issue inside a table at the table', () => {
    expect(fieldForIssue('soc.ocvTable[3].voltageV', PATHS)).toBe('soc.ocvTable');
    expect(fieldForIssue('soc.ocvTable.0', PATHS)).toBe('soc.ocvTable');
  });

  it('has no field for a whole section, the root or an unknown key', () => {
    expect(fieldForIssue('cells', PATHS)).toBeNull();
    expect(fieldForIssue('(root)', PATHS)).toBeNull();
    expect(fieldForIssue('', PATHS)).toBeNull();
    expect(fieldForIssue('cells.cellHighVoltage', PATHS)).toBeNull();
  });

  it('groups issues by field', () => {
    const grouped = issuesByField(
      [
        { path: 'cells.cellHighVoltageV', reason: 'too high' },
        { path: 'cells.cellHighVoltageV', reason: 'above the chip' },
        { path: 'cells', reason: 'inconsistent' },
      ],
      PATHS,
    );
    expect(grouped.get('cells.cellHighVoltageV').map((i) => i.reason)).toEqual([
      'too high',
      'above the chip',
    ]);
    expect(grouped.get(null).map((i) => i.reason)).toEqual(['inconsistent']);
  });
});
