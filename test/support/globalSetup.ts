/**
 * Starts one Azurite for the whole Jest run: HTTPS with `--oauth basic`, so tests can mint user-delegation SAS
 * exactly as production does. Tests read the endpoints from process.env (set here, inherited by Jest workers).
 */
import { startAzurite } from '../../dev/azurite';

export default async function globalSetup(): Promise<void> {
  const certPath = process.env.TEST_TLS_CERT;
  const keyPath = process.env.TEST_TLS_KEY;
  if (!certPath || !keyPath || !process.env.NODE_EXTRA_CA_CERTS) {
    throw new Error('Run the tests with `npm test` (scripts/run-tests.js sets up the TLS certificate Azurite needs).');
  }
  const azurite = await startAzurite({ tls: { certPath, keyPath }, oauth: true });
  process.env.TEST_AZURITE_CONNECTION_STRING = azurite.connectionString;
  process.env.TEST_AZURITE_BLOB_ENDPOINT = azurite.blobEndpoint;
  process.env.TEST_AZURITE_QUEUE_ENDPOINT = azurite.queueEndpoint;
  process.env.TEST_AZURITE_TABLE_ENDPOINT = azurite.tableEndpoint;
  (globalThis as unknown as { __AZURITE__: typeof azurite }).__AZURITE__ = azurite;
}
