import globals from 'globals';
import baseConfig, { packageJsonChecks } from '../../eslint.config.mjs';

export default [
  ...baseConfig,
  ...packageJsonChecks,
  // The dashboard is plain browser JavaScript (ES modules, no build step), served as it is.
  {
    files: ['src/http/dashboard/**/*.js'],
    languageOptions: { sourceType: 'module', globals: globals.browser },
  },
  // Its specs run in Jest from a folder of their own, so they are never part of the site.
  {
    files: ['src/http/dashboard-specs/**/*.spec.js'],
    languageOptions: { sourceType: 'module', globals: { ...globals.browser, ...globals.jest } },
  },
];
