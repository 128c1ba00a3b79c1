import nx from '@nx/eslint-plugin';

// The layering of design.md, as tags. Each arrow there is one entry in onlyDependOnLibsWithTags.
const layerConstraints = [
  // The reading contract (pack-reading) is the bottom floor: it imports nothing.
  { sourceTag: 'type:contract', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'type:port', onlyDependOnLibsWithTags: [] },
  // Secret hashes and the failed-attempt back-off, for the outputs that take commands.
  { sourceTag: 'type:credentials', onlyDependOnLibsWithTags: ['type:port'] },
  { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: ['type:port'] },
  { sourceTag: 'type:protocol', onlyDependOnLibsWithTags: ['type:port', 'type:contract'] },
  { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:contract'] },
  { sourceTag: 'type:engine', onlyDependOnLibsWithTags: ['type:domain', 'type:contract'] },
  {
    sourceTag: 'type:control',
    onlyDependOnLibsWithTags: ['type:domain', 'type:engine', 'type:port', 'type:contract'],
  },
  // The BMS core composes the pure floors below it; it never touches a device, a broker or a file.
  {
    sourceTag: 'type:core',
    onlyDependOnLibsWithTags: ['type:domain', 'type:engine', 'type:control', 'type:port', 'type:contract'],
  },
  // An output: the core's facts out through its own protocol library (inverter-can, …) and ports.
  {
    sourceTag: 'type:output',
    onlyDependOnLibsWithTags: [
      'type:core',
      'type:protocol',
      'type:credentials',
      'type:dashboard',
      'type:domain',
      'type:engine',
      'type:control',
      'type:port',
      'type:contract',
    ],
  },
  // The dashboard's browser modules read the status type only (JSDoc, checked by tsc).
  { sourceTag: 'type:dashboard', onlyDependOnLibsWithTags: ['type:core'] },
  { sourceTag: 'type:emulator', onlyDependOnLibsWithTags: ['type:protocol', 'type:port', 'type:contract'] },
  // Composition roots (the apps and the developer tools under tools/) may use every library.
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['*'] },
  // Test infrastructure (processes, a broker, certificates): for tests only, see testFileConstraints.
  { sourceTag: 'type:test-support', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['*'] },
];

// Only hal-linux and the apps talk to hardware, brokers, HTTP or the file system.
const ioModules = [
  'serialport',
  '@serialport/*',
  'socketcan',
  'mqtt',
  'express',
  'fs',
  'fs/*',
  'node:fs',
  'node:fs/*',
  'child_process',
  'node:child_process',
  'net',
  'node:net',
  'dgram',
  'node:dgram',
  'nodemailer',
  'better-sqlite3',
];

const boundaryOptions = {
  enforceBuildableLibDependency: true,
  // The controller loads the emulator only for its demo (issue 12 footprint); its tests import it.
  checkDynamicDependenciesExceptions: ['@tsbms/module-emulator'],
  allow: ['^.*/eslint(\\.base)?\\.config\\.[cm]?[jt]s$'],
  depConstraints: layerConstraints,
};

/** Tests (and the test doubles of a `testing` folder) may also use the test infrastructure. */
const testFileConstraints = layerConstraints.map((constraint) =>
  constraint.onlyDependOnLibsWithTags.includes('*')
    ? constraint
    : {
        ...constraint,
        onlyDependOnLibsWithTags: [...constraint.onlyDependOnLibsWithTags, 'type:test-support'],
      },
);
// Benchmarks measure real processes with the tests' infrastructure (a real broker, process scopes).
const testFiles = [
  '**/*.spec.ts',
  '**/testing/**/*.ts',
  '**/e2e/**/*.ts',
  '**/spec-support/**/*.ts',
  '**/bench/**/*.ts',
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/dist', '**/out-tsc', '**/test-output', '**/coverage'],
  },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.jsx'],
    rules: { '@nx/enforce-module-boundaries': ['error', boundaryOptions] },
  },
  {
    files: testFiles,
    rules: {
      '@nx/enforce-module-boundaries': ['error', { ...boundaryOptions, depConstraints: testFileConstraints }],
    },
  },
];

/** A README example (a package's examples folder) imports its own package by name, as a user's code does. */
export const readmeExampleRules = [
  {
    files: ['examples/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', { ...boundaryOptions, allowCircularSelfDependency: true }],
    },
  },
];

/*
 * Rule sets a project's own eslint.config.mjs adds. Nx lints from the project's folder, where
 * globs are relative to that folder, so they live with the project's config, not in a root block.
 */

/** Every import a project's code makes is declared in its package.json. */
export const packageJsonChecks = [
  {
    files: ['**/*.json'],
    rules: {
      '@nx/dependency-checks': [
        'error',
        { ignoredFiles: ['{projectRoot}/eslint.config.{js,cjs,mjs,ts,cts,mts}'] },
      ],
    },
    languageOptions: { parser: await import('jsonc-eslint-parser') },
  },
];

/** Libraries that stay pure logic over ports (every package but hal-linux); tests may do I/O. */
export const pureLibraryRules = libraryRulesAllowing([]);

/**
 * A network output (output-mqtt, output-http): pure but for its own client or server library and
 * the files its section names (TLS PEM files, the dashboard folder); never serial, CAN or processes.
 */
export function outputLibraryRules(ownModules) {
  return libraryRulesAllowing(ownModules);
}

function libraryRulesAllowing(ownModules) {
  return [
    {
      files: ['**/*.ts'],
      ignores: ['**/*.spec.ts', '**/*.fixture.ts', '**/testing/**', '**/spec-support/**'],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                group: ioModules.filter((name) => !ownModules.includes(name)),
                message:
                  'Pure packages take I/O through ports (design.md): only hal-linux and the apps may import this.',
              },
            ],
          },
        ],
      },
    },
  ];
}
