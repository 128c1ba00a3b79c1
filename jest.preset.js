const { readFileSync } = require('fs');
const nxPreset = require('@nx/jest/preset').default;

// One SWC configuration for every project's specs (CommonJS, like the rest of the workspace).
const swcJestConfig = JSON.parse(readFileSync(`${__dirname}/.spec.swcrc`, 'utf-8'));
swcJestConfig.swcrc = false;

module.exports = {
  ...nxPreset,
  testEnvironment: 'node',
  transform: { '^.+\\.[tj]s$': ['@swc/jest', swcJestConfig] },
  moduleFileExtensions: ['ts', 'js'],
  // Long virtual-time runs (a simulated week, a soak) run in their own lane, one project at a time
  // after the suite (`test-long`, tools/test-all): their CPU would stretch the real-time e2e.
  testPathIgnorePatterns: ['/node_modules/', '\\.long\\.spec\\.ts$'],
  coverageDirectory: '<rootDir>/test-output/jest/coverage',
  testEnvironmentOptions: {
    // Resolve workspace packages to their src/index.ts, never to a (possibly stale) dist build.
    customExportConditions: ['@tsbms/source', 'node', 'require', 'default'],
  },
};
