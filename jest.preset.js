const nxPreset = require('@nx/jest/preset').default;

module.exports = {
  ...nxPreset,
  testEnvironmentOptions: {
    // Resolve workspace packages to their src/index.ts, never to a (possibly stale) dist build.
    customExportConditions: ['@tsbms/source', 'node', 'require', 'default'],
  },
};
