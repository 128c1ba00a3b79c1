module.exports = {
  displayName: '@tsbms/commissioning',
  preset: '../../jest.preset.js',
  collectCoverage: true,
  coverageProvider: 'v8',
  coverageReporters: ['text-summary', 'lcov'],
  coverageThreshold: { global: { lines: 95 } },
};
