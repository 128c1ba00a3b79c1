module.exports = {
  displayName: '@tsbms/controller',
  preset: '../../jest.preset.js',
};
