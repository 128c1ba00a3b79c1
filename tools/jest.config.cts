module.exports = {
  displayName: '@tsbms/tools',
  preset: '../jest.preset.js',
};
