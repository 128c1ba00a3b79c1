module.exports = {
  displayName: '@tsbms/pack-reading',
  preset: '../../jest.preset.js',
  collectCoverage: true,
  coverageReporters: ['text-summary', 'lcov'],
  coverageThreshold: { global: { lines: 95 } },
};
