module.exports = {
  displayName: '@tsbms/battery-model',
  preset: '../../jest.preset.js',
  collectCoverage: true,
  coverageReporters: ['text-summary', 'lcov'],
  coverageThreshold: { global: { lines: 95 } },
};
