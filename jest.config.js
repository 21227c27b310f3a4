/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  // Type checking runs once in `npm test` (tsc --noEmit); jest only transpiles.
  transform: { '^.+\\.ts$': 'ts-jest' },
  testTimeout: 60000,
  // A folder per run, so that a reason for skipping tests is printed once (helpers/skip.ts).
  globalSetup: '<rootDir>/__tests__/helpers/test-run.ts',
  globalTeardown: '<rootDir>/__tests__/helpers/test-run-teardown.ts',
};
