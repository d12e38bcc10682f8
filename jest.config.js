/** Jest configuration: ts-jest, Azurite started once for the whole run (test/support/globalSetup.ts). */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  globalSetup: '<rootDir>/test/support/globalSetup.ts',
  globalTeardown: '<rootDir>/test/support/globalTeardown.ts',
  // A hang detector, not a speed limit: the long workloads (300,000-record paging, the chaos slice) take minutes
  // on a loaded 2-core machine.
  testTimeout: 300000,
  maxWorkers: 2,
};
