const { join } = require('node:path');
const nxPreset = require('@nx/jest/preset').default;

module.exports = {
  ...nxPreset,
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
    // jose is ESM only: Node loads it with require(esm), Jest's module loader does not, so it is
    // compiled to CommonJS for tests.
    '/node_modules/jose/.+\\.js$': [
      'babel-jest',
      { babelrc: false, configFile: false, plugins: ['@babel/plugin-transform-modules-commonjs'] },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Deletes the Kafka topics a test file created under its test prefixes once the file is done.
  setupFilesAfterEnv: [join(__dirname, 'tools/jest/delete-test-topics.ts')],
};
