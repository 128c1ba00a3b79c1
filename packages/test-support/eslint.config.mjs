import baseConfig, { packageJsonChecks, readmeExampleRules } from '../../eslint.config.mjs';

// Test infrastructure starts processes and reads files by design: no pure-library rules here.
export default [...baseConfig, ...packageJsonChecks, ...readmeExampleRules];
