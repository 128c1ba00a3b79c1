import baseConfig, { packageJsonChecks } from '../../eslint.config.mjs';

/*
 * The app's test harness (e2e/, testing/) is not part of its build (tsconfig.app.json), so what it
 * imports belongs in devDependencies.
 */
const appPackageJsonChecks = packageJsonChecks.map((block) => ({
  ...block,
  rules: {
    '@nx/dependency-checks': [
      'error',
      {
        ignoredFiles: [
          '{projectRoot}/eslint.config.{js,cjs,mjs,ts,cts,mts}',
          '{projectRoot}/src/e2e/**',
          '{projectRoot}/src/testing/**',
          '{projectRoot}/src/**/testing/**',
        ],
      },
    ],
  },
}));

export default [...baseConfig, ...appPackageJsonChecks];
