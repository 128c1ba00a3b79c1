module.exports = {
  displayName: '@tsbms/inverter-can',
  preset: '../../jest.preset.js',
};
