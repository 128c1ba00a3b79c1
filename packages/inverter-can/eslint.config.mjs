import baseConfig, { packageJsonChecks, pureLibraryRules } from '../../eslint.config.mjs';

export default [...baseConfig, ...packageJsonChecks, ...pureLibraryRules];
