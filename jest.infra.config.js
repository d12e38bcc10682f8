/**
 * Jest configuration of the ARM template tests (npm run infra:check): they read the template compiled by
 * scripts/infra-check.sh (.bicep/out/main.json). No Azurite, hence no globalSetup; `npm test` does not run them
 * (its testMatch is *.test.ts, these are *.arm.ts).
 */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/test/infra/**/*.arm.ts'],
  testTimeout: 30000,
};
