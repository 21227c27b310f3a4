/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  // Type checking runs once in `npm test` (tsc --noEmit); jest only transpiles.
  transform: { '^.+\\.ts$': 'ts-jest' },
  testTimeout: 60000,
};
