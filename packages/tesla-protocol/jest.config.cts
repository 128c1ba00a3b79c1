module.exports = {
  displayName: '@tsbms/tesla-protocol',
  preset: '../../jest.preset.js',
};
