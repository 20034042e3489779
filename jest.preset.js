const { join } = require('node:path');
const nxPreset = require('@nx/jest/preset').default;

module.exports = {
  ...nxPreset,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Deletes the Kafka topics a test file created under its test prefixes once the file is done.
  setupFilesAfterEnv: [join(__dirname, 'tools/jest/delete-test-topics.ts')],
};
