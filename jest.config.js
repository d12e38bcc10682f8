/** Jest configuration: ts-jest, Azurite started once for the whole run (test/support/globalSetup.ts). */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  globalSetup: '<rootDir>/test/support/globalSetup.ts',
  globalTeardown: '<rootDir>/test/support/globalTeardown.ts',
  testTimeout: 120000,
  // A leaked socket (keep-alive fetch, a server a failed test did not close) must not hang CI after the results are in.
  forceExit: true,
  maxWorkers: 2,
};
