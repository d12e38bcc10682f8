/**
 * Starts Azurite (Blob, Queue, Table) as a child process on free loopback ports, in memory.
 * Used by `npm run dev` (plain HTTP, account-key SAS) and by the tests (HTTPS + `--oauth basic`, so that
 * user-delegation SAS links are signed the production way).
 */
import { spawn, ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { dirname, join } from 'node:path';

export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteOptions {
  /** Serve HTTPS with this certificate (required for OAuth). */
  tls?: { certPath: string; keyPath: string };
  /** Accept Entra bearer tokens (`--oauth basic`); needs `tls`. */
  oauth?: boolean;
  /** Preferred ports; a taken port is replaced by a free one. */
  ports?: { blob?: number; queue?: number; table?: number };
  /** Show Azurite's own output. */
  verbose?: boolean;
  /** Keep data on disk in this folder instead of in memory (large runs); the caller removes it. */
  location?: string;
}

export interface AzuriteInstance {
  protocol: 'http' | 'https';
  blobEndpoint: string;
  queueEndpoint: string;
  tableEndpoint: string;
  /** A full connection string with explicit endpoints (works for http and https). */
  connectionString: string;
  accountName: string;
  accountKey: string;
  stop(): Promise<void>;
}

/**
 * A free port is only free until someone takes it: with many processes starting servers on one machine, another one
 * can listen on it between the check and Azurite's start. Azurite then exits with EADDRINUSE, and starting again on
 * fresh ports is the cure.
 */
const START_ATTEMPTS = 4;

export async function startAzurite(options: AzuriteOptions = {}): Promise<AzuriteInstance> {
  if (options.oauth && !options.tls) throw new Error('Azurite OAuth needs HTTPS: pass tls with a certificate');
  for (let attempt = 1; ; attempt++) {
    try {
      return await startAzuriteOnce(options);
    } catch (error) {
      if (attempt >= START_ATTEMPTS || !(error instanceof Error) || !error.message.includes('EADDRINUSE')) throw error;
    }
  }
}

async function startAzuriteOnce(options: AzuriteOptions): Promise<AzuriteInstance> {
  const blobPort = await freePort(options.ports?.blob);
  const queuePort = await freePort(options.ports?.queue, [blobPort]);
  const tablePort = await freePort(options.ports?.table, [blobPort, queuePort]);
  const entry = join(dirname(require.resolve('azurite/package.json')), 'dist', 'src', 'azurite.js');
  const args = [
    entry,
    ...(options.location ? ['--location', options.location] : ['--inMemoryPersistence']),
    '--skipApiVersionCheck',
    '--loose',
    '--disableProductStyleUrl',
    '--blobHost', '127.0.0.1', '--blobPort', String(blobPort),
    '--queueHost', '127.0.0.1', '--queuePort', String(queuePort),
    '--tableHost', '127.0.0.1', '--tablePort', String(tablePort),
  ];
  if (options.tls) args.push('--cert', options.tls.certPath, '--key', options.tls.keyPath);
  if (options.oauth) args.push('--oauth', 'basic');
  if (!options.verbose) args.push('--silent');

  const child: ChildProcess = spawn(process.execPath, args, {
    stdio: options.verbose ? 'inherit' : ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, AZURITE_ACCEPT_EULA: 'true' },
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const protocol = options.tls ? 'https' : 'http';
  const blobEndpoint = `${protocol}://127.0.0.1:${blobPort}/${AZURITE_ACCOUNT}`;
  const queueEndpoint = `${protocol}://127.0.0.1:${queuePort}/${AZURITE_ACCOUNT}`;
  const tableEndpoint = `${protocol}://127.0.0.1:${tablePort}/${AZURITE_ACCOUNT}`;
  const deadline = Date.now() + 30_000;
  for (const port of [blobPort, queuePort, tablePort]) {
    for (;;) {
      if (child.exitCode !== null) {
        await exited;
        throw new Error(`Azurite exited with code ${child.exitCode}: ${stderr}`);
      }
      if (await answers(protocol, port)) break;
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`Azurite did not start on port ${port} within 30 s: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const connectionString =
    `DefaultEndpointsProtocol=${protocol};AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};` +
    `BlobEndpoint=${blobEndpoint};QueueEndpoint=${queueEndpoint};TableEndpoint=${tableEndpoint};`;
  return {
    protocol,
    blobEndpoint,
    queueEndpoint,
    tableEndpoint,
    connectionString,
    accountName: AZURITE_ACCOUNT,
    accountKey: AZURITE_KEY,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** A free TCP port on 127.0.0.1: the preferred one when it is free, otherwise one the OS picks. */
export async function freePort(preferred?: number, avoid: number[] = []): Promise<number> {
  if (preferred && !avoid.includes(preferred) && (await canListen(preferred))) return preferred;
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const address = srv.address();
        const p = typeof address === 'object' && address ? address.port : 0;
        srv.close(() => resolve(p));
      });
    });
    if (!avoid.includes(port)) return port;
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

function answers(protocol: 'http' | 'https', port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = (protocol === 'https' ? httpsRequest : httpRequest)(
      { host: '127.0.0.1', port, path: '/', method: 'GET', rejectUnauthorized: false, timeout: 1000 },
      (res) => {
        res.resume();
        resolve(true);
      },
    );
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}
