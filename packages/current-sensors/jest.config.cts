module.exports = {
  displayName: '@tsbms/current-sensors',
  preset: '../../jest.preset.js',
};
