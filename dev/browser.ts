/**
 * A real browser for the page tests and dev/pageScreenshot.ts: Debian's `chromium` package driven by playwright-core
 * (which downloads no browser of its own). `.ci/run` and `npm test` install the package when it is missing
 * (scripts/ensure-chromium.sh).
 */
import { existsSync } from 'node:fs';
import { Browser, chromium } from 'playwright-core';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function chromiumPath(): string {
  const found = CANDIDATES.find((path): path is string => Boolean(path) && existsSync(path as string));
  if (!found) throw new Error('No Chromium found: install Debian\'s package (apt-get install -y chromium) or set CHROMIUM_PATH.');
  return found;
}

export async function launchBrowser(): Promise<Browser> {
  // --no-sandbox: the tests may run as root (CI), where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}
