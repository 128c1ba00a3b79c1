module.exports = {
  displayName: '@tsbms/dashboard',
  preset: '../../jest.preset.js',
  testMatch: ['<rootDir>/site-specs/**/*.spec.js', '<rootDir>/src/**/*.spec.ts'],
};
