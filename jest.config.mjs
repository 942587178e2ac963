// Tests are compiled by `tsc -b` and run as native ESM; no transform step on the test path.
export default {
  testEnvironment: 'node',
  transform: {},
  roots: ['<rootDir>/compiler', '<rootDir>/gateway', '<rootDir>/operator', '<rootDir>/e2e'],
  testMatch: ['**/dist/test/**/*.test.js'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 30000,
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/scripts/compatibility-reporter.mjs'],
};
