/**
 * `--init` (spec §1.4, fixed): a new site with a random admin password
 * (argon2id), a self-signed TLS certificate valid for two years (fletchck's is
 * valid for 30 days, and made with the openssl program, which slim container
 * images lack: this one is made in Node), the example self-check sequence
 * notifying the `log` action, and a `$schema` line for editors. It never
 * prompts; the CLI decides whether to ask.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { atomicWrite } from './save.ts';
import { PROJECT_ROOT } from '../version.ts';

/**
 * The web UI port of a new site (fletchck picks a random one in 30000–62767):
 * fixed and documented, so a container can publish it and a README can name it.
 */
export const DEFAULT_WEBUI_PORT = 30443;

/** Days a new site's self-signed certificate is valid (browsers accept at most 825 for private CAs' leaves). */
export const CERT_DAYS = 825;

/** fletchck's password alphabet (spec §11 PASSCHARS): 32 symbols, 5 bits each. */
const PASSCHARS = '0123456789abcdefghjk-pqrst+vwxyz';

/** 70 random bits as 14 characters, low bits first (spec §1.4). */
export function randomPassword(): string {
  let bits = BigInt(`0x${randomBytes(9).toString('hex')}`) & ((1n << 70n) - 1n);
  let out = '';
  for (let i = 0; i < 14; i++) {
    out += PASSCHARS[Number(bits & 31n)];
    bits >>= 5n;
  }
  return out;
}

/** argon2id PHC string (fletchck's argon2id/argon2i hashes verify with the same library). */
export async function hashPassword(password: string): Promise<string> {
  // loaded when a password is set: a running site does not carry argon2 until it signs someone in (docs/performance.md)
  const { default: argon2 } = await import('argon2');
  return argon2.hash(password, { type: argon2.argon2id });
}

export interface InitOptions {
  configPath: string;
  /** web UI port; default DEFAULT_WEBUI_PORT */
  port?: number;
  /** false: no web UI and no certificate */
  webui?: boolean;
  hostname?: string;
  name?: string;
}

/** The user a new site has (the administrator). */
export const ADMIN_USER = 'admin';

export interface InitResult {
  configPath: string;
  address: string | null;
  /** the administrator's user name and password, when the site has a web UI */
  user: string | null;
  password: string | null;
  /** set when the certificate could not be made (the UI then runs on plain HTTP) */
  certError?: string;
}

/** The action a new site has: it writes each FAIL and PASS to the log (spec §5.3); new checks get it ticked. */
export const DEFAULT_ACTION = 'log';

export function defaultActions(): Record<string, unknown> {
  return { [DEFAULT_ACTION]: { type: 'log', options: { default: true } } };
}

export function selfCheckSet(): Record<string, unknown> {
  const local = (type: string, options: Record<string, unknown>): Record<string, unknown> => ({ type, trigger: null, options });
  return {
    ram: local('memory', { level: 75 }),
    load: local('cpu', { level: 75 }),
    root: local('disk', { volume: '/', level: 75 }),
    'self-check': {
      type: 'sequence',
      trigger: { interval: { minutes: 5 } },
      threshold: 2,
      failAction: true,
      passAction: true,
      actions: [DEFAULT_ACTION],
      options: { checks: ['ram', 'load', 'root'] },
    },
  };
}

/** A self-signed certificate for `hostname` (and the loopback addresses for localhost), mode 0600. */
async function makeCertificate(dir: string, stem: string, hostname: string): Promise<{ cert: string; key: string }> {
  const { generate } = await import('selfsigned');
  const cert = join(dir, `${stem}.cert`);
  const key = join(dir, `${stem}.key`);
  const now = Date.now();
  const altNames =
    hostname === 'localhost'
      ? [
          { type: 2 as const, value: 'localhost' },
          { type: 7 as const, ip: '127.0.0.1' },
          { type: 7 as const, ip: '::1' },
        ]
      : [{ type: 2 as const, value: hostname }];
  // an ECDSA P-256 key: made in milliseconds (RSA-2048 takes up to a second on a busy machine), accepted by every browser
  const pem = await generate([{ name: 'commonName', value: hostname }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 3_600_000),
    notAfterDate: new Date(now + CERT_DAYS * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  await writeFile(key, pem.private, { mode: 0o600 });
  await writeFile(cert, pem.cert, { mode: 0o600 });
  return { cert, key };
}

/**
 * `$schema` for a new site file: the package's site.schema.json, relative to
 * the site folder when it is below a common parent (editors resolve it from
 * the file), else absolute.
 */
export function schemaRef(siteDir: string, root = PROJECT_ROOT): string {
  const target = join(root, 'site.schema.json');
  const rel = relative(siteDir, target);
  const path = rel.startsWith(`..${sep}..${sep}..`) ? target : rel;
  return path.startsWith('.') || path.startsWith(sep) ? path : `./${path}`;
}

export async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Creates the site file (overwriting is the caller's decision). */
export async function initSite(o: InitOptions): Promise<InitResult> {
  const configPath = resolve(o.configPath);
  const dir = dirname(configPath);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const stem = basename(configPath).replace(/\.(json|conf)$/i, '');
  const hostname = o.hostname ?? 'localhost';
  const withWeb = o.webui !== false;
  let webui: Record<string, unknown> | null = null;
  let password: string | null = null;
  let address: string | null = null;
  let certError: string | undefined;
  if (withWeb) {
    password = randomPassword();
    const port = o.port ?? DEFAULT_WEBUI_PORT;
    let tls: { cert: string; key: string } | null = null;
    try {
      tls = await makeCertificate(dir, stem, hostname);
    } catch (e) {
      certError = (e as Error).message;
    }
    webui = {
      name: o.name ?? 'siteward',
      hostname,
      port,
      cert: tls?.cert ?? null,
      key: tls?.key ?? null,
      // the "" user is fletchck's dummy hash for uniform login timing (spec §2.2)
      users: { [ADMIN_USER]: await hashPassword(password), '': await hashPassword(randomPassword()) },
    };
    address = `${tls ? 'https' : 'http'}://${hostname}:${port}`;
  }
  const doc = { $schema: schemaRef(dir), base: dir, timezone: null, webui, actions: defaultActions(), checks: selfCheckSet(), log: [] };
  await atomicWrite(configPath, `${JSON.stringify(doc, null, 1)}\n`);
  return { configPath, address, user: withWeb ? ADMIN_USER : null, password, certError };
}

/** Writes text to a new private file (used for generated secrets). */
export async function writePrivate(path: string, text: string): Promise<void> {
  await writeFile(path, text, { mode: 0o600 });
}
