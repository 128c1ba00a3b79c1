import globals from 'globals';
import baseConfig, { packageJsonChecks, pureLibraryRules, readmeExampleRules } from '../../eslint.config.mjs';

export default [
  ...baseConfig,
  ...packageJsonChecks,
  ...pureLibraryRules,
  ...readmeExampleRules,
  // The dashboard is plain browser JavaScript (ES modules, no build step), served as it is.
  {
    files: ['site/**/*.js'],
    languageOptions: { sourceType: 'module', globals: globals.browser },
  },
  // Its specs run in Jest from a folder of their own, so they are never part of the site.
  {
    files: ['site-specs/**/*.spec.js'],
    languageOptions: { sourceType: 'module', globals: { ...globals.browser, ...globals.jest } },
  },
];
