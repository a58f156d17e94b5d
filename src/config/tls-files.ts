/**
 * The certificate and key files of the two listeners (`webui.cert`/`key`,
 * `api.cert`/`key`), read and checked the one way: the listeners load them
 * with it, and `--check-config` reports what would stop them, so a missing
 * or wrong file is found before the daemon runs (issue 16).
 */
import { readFile } from 'node:fs/promises';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { resolve } from 'node:path';
import { unreadable } from './parse.ts';
import type { Issue, PathSegment } from './issues.ts';

export type TlsSection = 'webui' | 'api';

/** A file a listener needs is missing or wrong; `path` is its key in the site file. */
export class TlsFileError extends Error {
  constructor(
    readonly path: PathSegment[],
    message: string,
  ) {
    super(message);
    this.name = 'TlsFileError';
  }
}

async function read(path: string, what: string, at: PathSegment[]): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    throw new TlsFileError(at, `cannot read the ${what} file ${path}: ${unreadable(e)}`);
  }
}

/**
 * Reads and checks a listener's certificate and key (paths relative to the
 * site folder): both must be readable PEM, and the key must belong to the
 * certificate. Throws TlsFileError.
 */
export async function readTlsFiles(base: string, section: TlsSection, cert: string, key: string): Promise<{ cert: Buffer; key: Buffer }> {
  const certPath = resolve(base, cert);
  const keyPath = resolve(base, key);
  const certPem = await read(certPath, 'certificate', [section, 'cert']);
  const keyPem = await read(keyPath, 'key', [section, 'key']);
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(certPem);
  } catch {
    throw new TlsFileError([section, 'cert'], `${certPath} is not a PEM certificate`);
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(keyPem);
  } catch {
    throw new TlsFileError([section, 'key'], `${keyPath} is not a PEM private key without a passphrase`);
  }
  if (!x509.checkPrivateKey(privateKey)) throw new TlsFileError([section, 'key'], `the key ${keyPath} does not belong to the certificate ${certPath}`);
  return { cert: certPem, key: keyPem };
}

/** Problems with the listeners' certificate and key files, at their paths (for `--check-config`). */
export async function tlsFileIssues(base: string, sections: Partial<Record<TlsSection, { cert: string | null; key: string | null } | null>>): Promise<Issue[]> {
  const issues: Issue[] = [];
  for (const section of ['webui', 'api'] as const) {
    const s = sections[section];
    if (!s) continue;
    if (s.cert && s.key) {
      try {
        await readTlsFiles(base, section, s.cert, s.key);
      } catch (e) {
        if (!(e instanceof TlsFileError)) throw e;
        issues.push({ path: e.path, message: e.message, severity: 'error' });
      }
    } else if (s.cert || s.key) {
      const missing = s.cert ? 'key' : 'cert';
      issues.push({
        path: [section, missing],
        message: `${section}.${s.cert ? 'cert' : 'key'} is set but ${section}.${missing} is not: the listener uses plain HTTP`,
        severity: 'warning',
      });
    }
  }
  return issues;
}
