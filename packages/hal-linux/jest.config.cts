module.exports = {
  displayName: '@tsbms/hal-linux',
  preset: '../../jest.preset.js',
};
