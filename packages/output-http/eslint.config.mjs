import baseConfig, {
  outputLibraryRules,
  packageJsonChecks,
  readmeExampleRules,
} from '../../eslint.config.mjs';

export default [
  ...baseConfig,
  ...packageJsonChecks,
  ...outputLibraryRules(['express', 'fs', 'node:fs', 'net', 'node:net']),
  ...readmeExampleRules,
];
