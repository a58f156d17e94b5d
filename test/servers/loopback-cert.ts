/** A self-signed certificate for localhost / 127.0.0.1 (selfsigned 5, RSA, sha256). */
import { generate } from 'selfsigned';

export interface LoopbackCert {
  cert: string;
  key: string;
}

let cached: Promise<LoopbackCert> | null = null;

export function loopbackCert(): Promise<LoopbackCert> {
  cached ??= (async () => {
    const now = Date.now();
    const pem = await generate([{ name: 'commonName', value: 'localhost' }], {
      keySize: 2048,
      algorithm: 'sha256',
      notBeforeDate: new Date(now - 86_400_000),
      notAfterDate: new Date(now + 30 * 86_400_000),
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
    return { cert: pem.cert, key: pem.private };
  })();
  return cached;
}
