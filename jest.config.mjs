// Tests are compiled by `tsc -b` and run as native ESM; no transform step on the test path.
export default {
  testEnvironment: 'node',
  transform: {},
  roots: ['<rootDir>/compiler/dist/test', '<rootDir>/gateway/dist/test', '<rootDir>/operator/dist/test', '<rootDir>/e2e/dist/test'],
  testMatch: ['**/*.test.js'],
  testTimeout: 30000,
  maxWorkers: 2,
};
