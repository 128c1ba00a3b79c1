import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

/**
 * The layering in design.md is enforced by lint. These cases lint a small source text as if it
 * were a file inside a given package, so they fail if the tags or rules stop catching a forbidden
 * arrow (or start rejecting an allowed one).
 */
const workspaceRoot = path.resolve(__dirname, '..', '..');

interface Probe {
  file: string;
  source: string;
}

const reExport = (file: string, target: string): Probe => ({
  file,
  source: `export * from '${target}';\n`,
});
const namespaceImport = (file: string, target: string): Probe => ({
  file,
  source: `import * as io from '${target}';\nexport const x = io;\n`,
});

const forbidden: Array<[string, string, string]> = [
  ['packages/battery-model/src/probe.ts', '@tsbms/tesla-protocol', 'domain -> protocol'],
  ['packages/tesla-protocol/src/probe.ts', '@tsbms/battery-model', 'protocol -> domain'],
  ['packages/hal/src/probe.ts', '@tsbms/tesla-protocol', 'port -> protocol'],
  ['packages/tesla-protocol/src/probe.ts', '@tsbms/hal-linux', 'protocol -> adapter'],
  ['packages/module-emulator/src/probe.ts', '@tsbms/battery-model', 'emulator -> domain'],
  ['packages/battery-model/src/probe.ts', '@tsbms/fault-engine', 'domain -> engine'],
  ['packages/pack-reading/src/probe.ts', '@tsbms/hal', 'contract -> port'],
  ['packages/pack-reading/src/probe.ts', '@tsbms/battery-model', 'contract -> domain'],
  ['packages/bms-core/src/probe.ts', '@tsbms/hal-linux', 'core -> adapter'],
  ['packages/bms-core/src/probe.ts', '@tsbms/tesla-protocol', 'core -> protocol (a source is injected)'],
  ['packages/bms-core/src/probe.ts', '@tsbms/module-emulator', 'core -> emulator'],
  ['packages/control/src/probe.ts', '@tsbms/bms-core', 'control -> core'],
  ['packages/inverter-can/src/probe.ts', '@tsbms/bms-core', 'protocol -> core'],
  ['packages/bms-core/src/probe.ts', '@tsbms/test-support', 'production code -> test infrastructure'],
  ['packages/credentials/src/probe.ts', '@tsbms/bms-core', 'credentials -> core'],
];

const allowed: Array<[string, string, string]> = [
  ['packages/tesla-protocol/src/probe.ts', '@tsbms/hal', 'protocol -> port'],
  ['packages/hal-linux/src/probe.ts', '@tsbms/hal', 'adapter -> port'],
  ['packages/module-emulator/src/probe.ts', '@tsbms/tesla-protocol', 'emulator -> protocol'],
  ['packages/fault-engine/src/probe.ts', '@tsbms/battery-model', 'engine -> domain'],
  ['packages/tesla-protocol/src/probe.ts', '@tsbms/pack-reading', 'protocol -> contract'],
  ['packages/battery-model/src/probe.ts', '@tsbms/pack-reading', 'domain -> contract'],
  ['packages/bms-core/src/probe.ts', '@tsbms/control', 'core -> control'],
  ['packages/bms-core/src/probe.ts', '@tsbms/fault-engine', 'core -> engine'],
  ['packages/bms-core/src/probe.ts', '@tsbms/hal', 'core -> port'],
  ['packages/bms-core/src/probe.ts', '@tsbms/pack-reading', 'core -> contract'],
  ['packages/bms-core/src/probe.spec.ts', '@tsbms/test-support', 'a test -> test infrastructure'],
  ['packages/output-inverter-can/src/probe.ts', '@tsbms/credentials', 'output -> credentials'],
];

const ioForbidden: Array<[string, string]> = [
  ['packages/tesla-protocol/src/probe.ts', 'serialport'],
  ['packages/battery-model/src/probe.ts', 'node:fs'],
  ['packages/module-emulator/src/probe.ts', 'express'],
  ['packages/bms-core/src/probe.ts', 'node:fs'],
  ['packages/bms-core/src/probe.ts', 'mqtt'],
  ['packages/bms-core/src/probe.ts', 'express'],
];
const ioAllowed: Array<[string, string]> = [['packages/hal-linux/src/probe.ts', 'serialport']];

/*
 * The outputs (issue 11): devices come in through hal ports, never hal-linux or the app; each may
 * use its own network library and no other I/O module. Each refusal is checked for the rule and
 * message that must catch it.
 */
const outputFile = (name: string) => `packages/${name}/src/probe.ts`;
const outputForbidden: Array<[string, Probe, string, RegExp]> = [
  'output-inverter-can',
  'output-mqtt',
  'output-http',
  'output-notifications',
  'output-influxdb',
].flatMap(
  (name): Array<[string, Probe, string, RegExp]> => [
    [
      `${name}: @tsbms/hal-linux (output -> adapter)`,
      reExport(outputFile(name), '@tsbms/hal-linux'),
      '@nx/enforce-module-boundaries',
      /tagged with "type:output" can only depend on libs tagged with/,
    ],
    [
      `${name}: the app by relative path`,
      reExport(outputFile(name), '../../../apps/controller/src/config'),
      '@nx/enforce-module-boundaries',
      /cannot be imported by a relative or absolute path/,
    ],
    [
      `${name}: socketcan (an I/O module)`,
      namespaceImport(outputFile(name), 'socketcan'),
      'no-restricted-imports',
      /Pure packages take I\/O through ports/,
    ],
  ],
);
outputForbidden.push(
  [
    "output-mqtt: express (the HTTP output's library)",
    namespaceImport(outputFile('output-mqtt'), 'express'),
    'no-restricted-imports',
    /Pure packages take I\/O through ports/,
  ],
  [
    "output-http: mqtt (the MQTT output's library)",
    namespaceImport(outputFile('output-http'), 'mqtt'),
    'no-restricted-imports',
    /Pure packages take I\/O through ports/,
  ],
  [
    'output-inverter-can: the test infrastructure',
    reExport(outputFile('output-inverter-can'), '@tsbms/test-support'),
    '@nx/enforce-module-boundaries',
    /tagged with "type:output" can only depend on libs tagged with/,
  ],
);
const outputAllowed: Array<[string, Probe]> = [
  ['output-inverter-can: @tsbms/bms-core', reExport(outputFile('output-inverter-can'), '@tsbms/bms-core')],
  [
    'output-inverter-can: @tsbms/inverter-can',
    reExport(outputFile('output-inverter-can'), '@tsbms/inverter-can'),
  ],
  ['output-mqtt: mqtt', namespaceImport(outputFile('output-mqtt'), 'mqtt')],
  ['output-mqtt: @tsbms/credentials', reExport(outputFile('output-mqtt'), '@tsbms/credentials')],
  ['output-http: express', namespaceImport(outputFile('output-http'), 'express')],
  ['output-http: @tsbms/dashboard', reExport(outputFile('output-http'), '@tsbms/dashboard')],
];

const probes: Probe[] = [
  ...forbidden.map(([file, target]) => reExport(file, target)),
  ...allowed.map(([file, target]) => reExport(file, target)),
  ...ioForbidden.map(([file, target]) => namespaceImport(file, target)),
  ...ioAllowed.map(([file, target]) => namespaceImport(file, target)),
  ...outputForbidden.map(([, probe]) => probe),
  ...outputAllowed.map(([, probe]) => probe),
];

function ruleHits(file: string, source: string, rule: string): string[] {
  const index = probes.findIndex((p) => p.file === file && p.source === source);
  return lintResults[index].filter((m) => m.ruleId === rule).map((m) => m.message);
}

let lintResults: Array<Array<{ ruleId: string | null; message: string }>>;

beforeAll(() => {
  // One real ESLint process with the workspace's own config lints every probe.
  const output = execFileSync(process.execPath, [path.join(__dirname, 'lint-probes.mjs')], {
    cwd: workspaceRoot,
    input: JSON.stringify(probes),
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false' },
  });
  lintResults = JSON.parse(output);
}, 120_000);

describe('module boundaries (design.md layering)', () => {
  it.each(forbidden)('%s importing %s is rejected (%s)', (file, target) => {
    const probe = reExport(file, target);
    expect(ruleHits(probe.file, probe.source, '@nx/enforce-module-boundaries')).not.toEqual([]);
  });

  it.each(allowed)('%s importing %s is accepted (%s)', (file, target) => {
    const probe = reExport(file, target);
    expect(ruleHits(probe.file, probe.source, '@nx/enforce-module-boundaries')).toEqual([]);
  });

  it.each(ioForbidden)('%s may not import the I/O module %s', (file, target) => {
    const probe = namespaceImport(file, target);
    expect(ruleHits(probe.file, probe.source, 'no-restricted-imports')).not.toEqual([]);
  });

  it.each(ioAllowed)('%s may import the I/O module %s', (file, target) => {
    const probe = namespaceImport(file, target);
    expect(ruleHits(probe.file, probe.source, 'no-restricted-imports')).toEqual([]);
  });

  describe('outputs', () => {
    it.each(outputForbidden)('%s fails lint', (_what, probe, rule, message) => {
      const hits = ruleHits(probe.file, probe.source, rule);
      expect(hits).toEqual([expect.stringMatching(message)]);
    });

    it.each(outputAllowed)('%s passes lint', (_what, probe) => {
      const index = probes.findIndex((p) => p.file === probe.file && p.source === probe.source);
      expect(lintResults[index]).toEqual([]);
    });
  });
});
