import baseConfig, { packageJsonChecks, pureLibraryRules, readmeExampleRules } from '../../eslint.config.mjs';

export default [
  ...baseConfig,
  ...packageJsonChecks,
  // HTTP goes through the global fetch: no client library, no other I/O.
  ...pureLibraryRules,
  ...readmeExampleRules,
];
