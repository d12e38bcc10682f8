#!/usr/bin/env node
/**
 * `npm test`: makes the local TLS certificate the tests' Azurite uses (HTTPS + OAuth, for user-delegation SAS),
 * makes Node trust it through NODE_EXTRA_CA_CERTS (read only at process start, hence this wrapper), then runs Jest.
 * Extra arguments go to Jest, e.g. `npm test -- test/unit`. The page tests need Debian's chromium package:
 * scripts/ensure-chromium.sh installs it when it is missing and this machine can (root with apt-get).
 */
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

require('tsx/cjs');
const { ensureLocalCertificate } = require('../dev/certificates.ts');

const chromium = spawnSync('bash', [join(__dirname, 'ensure-chromium.sh')], { stdio: 'inherit' });
if (chromium.status !== 0) console.warn('Continuing without Chromium: the download-page tests will fail until it is installed.');

ensureLocalCertificate().then(({ certPath, keyPath }) => {
  const env = { ...process.env, NODE_EXTRA_CA_CERTS: certPath, TEST_TLS_CERT: certPath, TEST_TLS_KEY: keyPath };
  const jest = join(__dirname, '..', 'node_modules', 'jest', 'bin', 'jest.js');
  const result = spawnSync(process.execPath, [jest, ...process.argv.slice(2)], { stdio: 'inherit', env });
  process.exit(result.status === null ? 1 : result.status);
}, (err) => {
  console.error(err);
  process.exit(1);
});
