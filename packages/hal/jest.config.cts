module.exports = {
  displayName: '@tsbms/hal',
  preset: '../../jest.preset.js',
};
