module.exports = {
  displayName: '@tsbms/test-support',
  preset: '../../jest.preset.js',
};
