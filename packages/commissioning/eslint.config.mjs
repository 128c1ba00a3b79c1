import baseConfig, { packageJsonChecks, pureLibraryRules, readmeExampleRules } from '../../eslint.config.mjs';

export default [...baseConfig, ...packageJsonChecks, ...pureLibraryRules, ...readmeExampleRules];
