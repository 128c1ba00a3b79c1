module.exports = {
  displayName: '@tsbms/module-emulator',
  preset: '../../jest.preset.js',
};
