module.exports = {
  displayName: 'tools',
  preset: '../jest.preset.js',
  rootDir: '.',
  testMatch: ['<rootDir>/**/*.spec.ts'],
  // Fault tests restart the broker and cut connections: they run alone, after everything else
  // (`nx run tools:faults`, the last step of `npm test`).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/faults/'],
  coverageDirectory: '../coverage/tools',
};
