import baseConfig, {
  outputLibraryRules,
  packageJsonChecks,
  readmeExampleRules,
} from '../../eslint.config.mjs';

export default [
  ...baseConfig,
  ...packageJsonChecks,
  ...outputLibraryRules(['better-sqlite3', 'node:fs']),
  ...readmeExampleRules,
];
