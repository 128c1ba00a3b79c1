module.exports = {
  displayName: '@tsbms/victron-can',
  preset: '../../jest.preset.js',
};
