module.exports = {
  displayName: '@tsbms/fault-engine',
  preset: '../../jest.preset.js',
  collectCoverage: true,
  coverageReporters: ['text-summary', 'lcov'],
  coverageThreshold: { global: { lines: 95 } },
};
