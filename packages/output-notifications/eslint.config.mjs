import baseConfig, {
  outputLibraryRules,
  packageJsonChecks,
  readmeExampleRules,
} from '../../eslint.config.mjs';

export default [
  ...baseConfig,
  ...packageJsonChecks,
  // HTTP goes through the global fetch; mail through nodemailer, its own client library.
  ...outputLibraryRules(['nodemailer']),
  ...readmeExampleRules,
];
