import globals from 'globals';
import baseConfig, { packageJsonChecks } from '../../eslint.config.mjs';

export default [
  ...baseConfig,
  ...packageJsonChecks,
  // The dashboard is plain browser JavaScript (ES modules, no build step); its specs run in Jest.
  {
    files: ['src/http/dashboard/**/*.js'],
    languageOptions: { sourceType: 'module', globals: globals.browser },
  },
  {
    files: ['src/http/dashboard/**/*.spec.js'],
    languageOptions: { globals: globals.jest },
  },
];
