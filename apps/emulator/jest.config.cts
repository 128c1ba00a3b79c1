module.exports = {
  displayName: '@tsbms/emulator',
  preset: '../../jest.preset.js',
};
