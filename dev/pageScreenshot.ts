/**
 * The picture of the download page in docs/http-api.md, taken from a running instance: with `npm run dev` up and
 * some exports finished, `node --require tsx/cjs dev/pageScreenshot.ts` opens http://localhost:7071/api/ui in
 * headless Chromium, opens the newest finished on-demand export (or the newest finished export) so its files show,
 * and writes docs/images/download-page.png.
 *
 *   --url <page address>   default http://localhost:7071/api/ui (add ?code=<function key> for a deployed app)
 *   --out <png path>       default docs/images/download-page.png
 *   --open <jobId>         the export to open instead
 */
import { join } from 'node:path';
import { launchBrowser } from './browser';

interface Options {
  url: string;
  out: string;
  open?: string;
}

function parseArgs(args: string[]): Options {
  const options: Options = { url: 'http://localhost:7071/api/ui', out: join(__dirname, '..', 'docs', 'images', 'download-page.png') };
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--url') options.url = value;
    else if (flag === '--out') options.out = value;
    else if (flag === '--open') options.open = value;
    else throw new Error(`Unknown option ${flag} (--url, --out, --open)`);
  }
  return options;
}

/** The export to show: the newest finished on-demand one, else the newest finished one, as the API lists them. */
async function exportToOpen(pageUrl: string): Promise<string | undefined> {
  const url = new URL(pageUrl);
  const list = async (kind: string): Promise<string | undefined> => {
    const api = new URL(url.pathname.replace(/\/ui\/?$/, '/exports'), url);
    api.search = url.search;
    api.searchParams.set('status', 'succeeded');
    api.searchParams.set('limit', '1');
    if (kind) api.searchParams.set('kind', kind);
    const answer = await fetch(api);
    if (!answer.ok) throw new Error(`GET ${api.pathname}: ${answer.status} ${await answer.text()}`);
    return ((await answer.json()) as { exports: Array<{ jobId: string }> }).exports[0]?.jobId;
  };
  return (await list('adhoc')) ?? (await list(''));
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const jobId = options.open ?? (await exportToOpen(options.url));
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    await page.goto(options.url);
    await page.getByRole('table', { name: 'Health of each exported stream' }).getByRole('row').nth(6).waitFor();
    const exportsTable = page.getByRole('table', { name: 'Exports, newest window first' });
    await exportsTable.getByRole('row').nth(1).waitFor();
    if (jobId) {
      // Show on-demand exports when the one to open is one of them, so its row is on the first page.
      if (jobId.startsWith('adhoc-')) {
        await page.getByLabel('Kind').selectOption('adhoc');
        await page.getByRole('button', { name: 'Show exports' }).click();
      }
      await exportsTable.getByRole('button', { name: jobId }).click();
      await page.getByRole('table', { name: `Files of export ${jobId}` }).waitFor();
    }
    await page.screenshot({ path: options.out, fullPage: true });
    console.log(`${options.out}${jobId ? ` (export ${jobId} open)` : ''}`);
  } finally {
    await browser.close();
  }
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
