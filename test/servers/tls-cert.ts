/**
 * Throwaway TLS certificates for loopback servers (selfsigned), valid for
 * localhost and 127.0.0.1, optionally written to files.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface TestCert {
  cert: string;
  key: string;
  fingerprint: string;
}

export async function testCert(days = 30, cn = 'localhost'): Promise<TestCert> {
  const now = Date.now();
  const pem = await generate([{ name: 'commonName', value: cn }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 86_400_000),
    notAfterDate: new Date(now + days * 86_400_000),
    extensions: [
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { cert: pem.cert, key: pem.private, fingerprint: pem.fingerprint };
}

/** Writes `<stem>.cert` / `<stem>.key` (mode 0600) into `dir`; returns their paths. */
export function writeCert(dir: string, stem: string, c: TestCert): { cert: string; key: string } {
  const cert = join(dir, `${stem}.cert`);
  const key = join(dir, `${stem}.key`);
  writeFileSync(cert, c.cert, { mode: 0o600 });
  writeFileSync(key, c.key, { mode: 0o600 });
  return { cert, key };
}
