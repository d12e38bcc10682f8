import type { AzuriteInstance } from '../../dev/azurite';

export default async function globalTeardown(): Promise<void> {
  const azurite = (globalThis as unknown as { __AZURITE__?: AzuriteInstance }).__AZURITE__;
  if (azurite) await azurite.stop();
}
