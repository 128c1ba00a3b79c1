// The long lane (`nx run @tsbms/controller:test-long`): simulations of days in virtual time, run
// alone after the suite by tools/test-all.
module.exports = {
  displayName: '@tsbms/controller (long)',
  preset: '../../jest.preset.js',
  testMatch: ['<rootDir>/src/**/*.long.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
};
