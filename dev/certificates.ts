/**
 * A self-signed TLS certificate for 127.0.0.1/localhost, made once and kept under `.test-certs/`.
 * Azurite needs HTTPS for OAuth (user-delegation SAS); Node trusts the certificate through NODE_EXTRA_CA_CERTS.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generate } from 'selfsigned';

export interface CertificatePaths {
  certPath: string;
  keyPath: string;
}

export const defaultCertificateDir = resolve(__dirname, '..', '.test-certs');

export async function ensureLocalCertificate(dir: string = defaultCertificateDir): Promise<CertificatePaths> {
  const certPath = join(dir, 'localhost.cert.pem');
  const keyPath = join(dir, 'localhost.key.pem');
  if (existsSync(certPath) && existsSync(keyPath) && !isExpiringSoon(readFileSync(certPath, 'utf8'))) {
    return { certPath, keyPath };
  }
  mkdirSync(dir, { recursive: true });
  const notAfter = new Date(Date.now() + 365 * 24 * 3600 * 1000);
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
  } as Parameters<typeof generate>[1]);
  writeFileSync(certPath, pems.cert);
  writeFileSync(keyPath, pems.private, { mode: 0o600 });
  return { certPath, keyPath };
}

function isExpiringSoon(pem: string): boolean {
  try {
    const { X509Certificate } = require('node:crypto') as typeof import('node:crypto');
    const cert = new X509Certificate(pem);
    return new Date(cert.validTo).getTime() < Date.now() + 7 * 24 * 3600 * 1000;
  } catch {
    return true;
  }
}
