module.exports = {
  displayName: 'faults',
  preset: '../jest.preset.js',
  rootDir: '.',
  testMatch: ['<rootDir>/faults/**/*.spec.ts'],
  coverageDirectory: '../coverage/tools-faults',
};
