/**
 * `--init` (spec §1.4, fixed): a new site with a random admin password
 * (argon2id), a self-signed TLS certificate valid for two years (fletchck's is
 * valid for 30 days), and the example self-check sequence. It never prompts;
 * the CLI decides whether to ask.
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { chmod, mkdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { atomicWrite } from './save.ts';

const run = promisify(execFile);

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
  /** web UI port; default random 30000–62767 like fletchck */
  port?: number;
  /** false: no web UI and no certificate */
  webui?: boolean;
  hostname?: string;
  name?: string;
}

export interface InitResult {
  configPath: string;
  address: string | null;
  password: string | null;
  /** set when the certificate could not be made (the UI then runs on plain HTTP) */
  certError?: string;
}

export function selfCheckSet(): Record<string, unknown> {
  const local = (type: string, options: Record<string, unknown>): Record<string, unknown> => ({ type, trigger: null, options });
  return {
    ram: local('memory', { level: 75 }),
    load: local('cpu', { level: 75 }),
    root: local('disk', { volume: '/', level: 75 }),
    'self-check': {
      type: 'sequence', trigger: { interval: { minutes: 5 } }, threshold: 2, failAction: true, passAction: true,
      options: { checks: ['ram', 'load', 'root'] },
    },
  };
}

async function makeCertificate(dir: string, stem: string, hostname: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, `${stem}.cert`);
  const key = join(dir, `${stem}.key`);
  const san = hostname === 'localhost' ? 'DNS:localhost,IP:127.0.0.1,IP:::1' : `DNS:${hostname}`;
  await run('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '825',
    '-subj', `/CN=${hostname}`, '-addext', `subjectAltName=${san}`,
    '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment', '-addext', 'extendedKeyUsage=serverAuth',
    '-keyout', key, '-out', cert,
  ], { timeout: 30_000 });
  await chmod(cert, 0o600);
  await chmod(key, 0o600);
  return { cert, key };
}

export async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
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
    const port = o.port ?? 30000 + randomInt(0, 1 << 15);
    let tls: { cert: string; key: string } | null = null;
    try {
      tls = await makeCertificate(dir, stem, hostname);
    } catch (e) {
      certError = (e as Error).message;
    }
    webui = {
      name: o.name ?? 'siteward', hostname, port, cert: tls?.cert ?? null, key: tls?.key ?? null,
      // the "" user is fletchck's dummy hash for uniform login timing (spec §2.2)
      users: { admin: await hashPassword(password), '': await hashPassword(randomPassword()) },
    };
    address = `${tls ? 'https' : 'http'}://${hostname}:${port}`;
  }
  const doc = { base: dir, timezone: null, webui, actions: {}, checks: selfCheckSet(), log: [] };
  await atomicWrite(configPath, `${JSON.stringify(doc, null, 1)}\n`);
  return { configPath, address, password, certError };
}

/** Writes text to a new private file (used for generated secrets). */
export async function writePrivate(path: string, text: string): Promise<void> {
  await writeFile(path, text, { mode: 0o600 });
}
