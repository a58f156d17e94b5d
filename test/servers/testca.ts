/**
 * A private CA made fresh for each test run, and the server certificates the
 * TLS check tests need, written as PEM files (daemons such as Dovecot read
 * them from disk). Validity ends fall half a day past a whole number of days
 * so that floor(days left) is the same whenever during the run it is read.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';

const DAY = 86_400_000;

export interface Pem {
  key: string;
  cert: string;
  /** files holding key and cert */
  keyFile: string;
  certFile: string;
}

export interface TestCa {
  /** the CA certificate; pass `caFile` as a check's `ca` option to trust it */
  ca: Pem;
  caFile: string;
  /** for localhost and 127.0.0.1, 90 days left */
  valid: Pem;
  /** expired 3 days ago (days left −3) */
  expired: Pem;
  /** 3 days left: inside the default 7-day window */
  expiring: Pem;
  /** valid from 2 days from now, until 60 days from now */
  notYetValid: Pem;
  /** valid, but only for other.example */
  wrongHost: Pem;
  /** signed by its own key, for localhost, 30 days left */
  selfSigned: Pem;
  /** days left each certificate reports */
  days: Record<CertCase, number>;
}

const EC = { keyType: 'ec' as const, curve: 'P-256' as const, algorithm: 'sha256' };

function leafExtensions(names: string[], ips: string[]) {
  return [
    { name: 'basicConstraints' as const, cA: false },
    { name: 'keyUsage' as const, digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage' as const, serverAuth: true },
    {
      name: 'subjectAltName' as const,
      altNames: [...names.map((value) => ({ type: 2 as const, value })), ...ips.map((ip) => ({ type: 7 as const, ip }))],
    },
  ];
}

/** Creates the CA and all certificates under `dir`. */
export async function createTestCa(dir: string): Promise<TestCa> {
  const now = Date.now();
  const write = (name: string, key: string, cert: string): Pem => {
    const keyFile = join(dir, `${name}.key`);
    const certFile = join(dir, `${name}.crt`);
    writeFileSync(keyFile, key, { mode: 0o644 });
    writeFileSync(certFile, cert);
    return { key, cert, keyFile, certFile };
  };
  const caGen = await generate([{ name: 'commonName', value: 'siteward test CA' }], {
    ...EC,
    notBeforeDate: new Date(now - 10 * DAY),
    notAfterDate: new Date(now + 400 * DAY),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const ca = write('ca', caGen.private, caGen.cert);

  const leaf = async (name: string, cn: string, from: number, to: number, names = ['localhost'], ips = ['127.0.0.1'], signed = true): Promise<Pem> => {
    const g = await generate([{ name: 'commonName', value: cn }], {
      ...EC,
      notBeforeDate: new Date(from),
      notAfterDate: new Date(to),
      extensions: leafExtensions(names, ips),
      ...(signed ? { ca: { key: ca.key, cert: ca.cert } } : {}),
    });
    return write(name, g.private, g.cert);
  };

  const half = DAY / 2;
  return {
    ca,
    caFile: ca.certFile,
    valid: await leaf('valid', 'localhost', now - DAY, now + 90 * DAY + half),
    expired: await leaf('expired', 'localhost', now - 60 * DAY, now - 3 * DAY + half),
    expiring: await leaf('expiring', 'localhost', now - DAY, now + 3 * DAY + half),
    notYetValid: await leaf('notyet', 'localhost', now + 2 * DAY, now + 60 * DAY + half),
    wrongHost: await leaf('wronghost', 'other.example', now - DAY, now + 90 * DAY + half, ['other.example'], []),
    selfSigned: await leaf('selfsigned', 'localhost', now - DAY, now + 30 * DAY + half, ['localhost'], ['127.0.0.1'], false),
    days: { valid: 90, expired: -3, expiring: 3, notYetValid: 60, wrongHost: 90, selfSigned: 30 },
  };
}

/** The certificates the TLS checks are run against, by name. */
export const CERT_CASES = ['valid', 'expired', 'expiring', 'notYetValid', 'wrongHost', 'selfSigned'] as const;
export type CertCase = (typeof CERT_CASES)[number];
