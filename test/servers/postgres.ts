/**
 * A private PostgreSQL (Debian's postgresql) on 127.0.0.1: `initdb` into a
 * temp folder, `postgres` in the foreground on a port picked free, password
 * (SCRAM) logins only, optionally TLS with a test CA's certificate. The
 * server refuses to run as root, so under root it runs as `nobody`
 * (setpriv). Stopped with SIGINT (PostgreSQL's "fast" shutdown).
 */
import { chownSync, chmodSync, copyFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { freePort, spawnDaemon, tempDir, waitForLog, waitPort, type Daemon } from './common.ts';
import type { Pem } from './testca.ts';

/** Debian installs one folder per major version: /usr/lib/postgresql/<N>/bin. */
function pgBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  return join(root, versions[0] ?? '15', 'bin');
}

export const PG_BIN = pgBin();
export const POSTGRES_PROGRAMS = [join(PG_BIN, 'initdb'), join(PG_BIN, 'postgres'), '/usr/bin/setpriv'];

const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL program as `nobody` when the test runs as root. */
function unprivileged(cmd: string, args: string[]): [string, string[]] {
  return asRoot ? ['/usr/bin/setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', cmd, ...args]] : [cmd, args];
}

export interface Postgres {
  port: number;
  /** the superuser `postgres` and its password */
  superuser: { username: string; password: string };
  dir: string;
  daemon: Daemon;
  log(): string;
  stop(): Promise<void>;
}

export async function startPostgres(o: { pem?: Pem } = {}): Promise<Postgres> {
  const { dir, cleanup } = tempDir('swpg-');
  if (asRoot) chownSync(dir, NOBODY, NOBODY);
  const superuser = { username: 'postgres', password: 'pg-super-7' };
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, `${superuser.password}\n`, { mode: 0o600 });
  if (asRoot) chownSync(pwfile, NOBODY, NOBODY);
  const data = join(dir, 'data');
  const [initCmd, initArgs] = unprivileged(join(PG_BIN, 'initdb'), [
    '-D',
    data,
    '-U',
    superuser.username,
    '--auth=scram-sha-256',
    `--pwfile=${pwfile}`,
    '-E',
    'UTF8',
    '--no-locale',
    '--no-sync',
  ]);
  execFileSync(initCmd, initArgs, { stdio: 'pipe', cwd: dir });
  const settings = ['listen_addresses=127.0.0.1', `unix_socket_directories=${dir}`, 'fsync=off', 'log_destination=stderr'];
  if (o.pem) {
    // the key must belong to the server's user and be private, or PostgreSQL refuses it
    for (const [from, to] of [
      [o.pem.certFile, 'server.crt'],
      [o.pem.keyFile, 'server.key'],
    ] as const) {
      copyFileSync(from, join(data, to));
      chmodSync(join(data, to), 0o600);
      if (asRoot) chownSync(join(data, to), NOBODY, NOBODY);
    }
    settings.push('ssl=on', 'ssl_cert_file=server.crt', 'ssl_key_file=server.key');
  }
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const [cmd, args] = unprivileged(join(PG_BIN, 'postgres'), ['-D', data, '-p', String(port), ...settings.flatMap((s) => ['-c', s])]);
    const daemon = spawnDaemon('postgres', dir, cmd, args);
    try {
      await waitPort(port, 30_000);
      // the port opens before recovery ends; logins are refused until this line
      await waitForLog(daemon, 'database system is ready to accept connections');
      const stop = async (): Promise<void> => {
        const p = daemon.proc;
        if (p.exitCode === null && p.signalCode === null) {
          const exited = new Promise<void>((r) => p.once('exit', () => r()));
          p.kill('SIGINT');
          const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(t);
        }
        cleanup();
      };
      return { port, superuser, dir, daemon, log: daemon.log, stop };
    } catch (e) {
      await daemon.stop();
      // a port picked free can be taken before the server binds it
      if (attempt >= 3) {
        cleanup();
        throw new Error(`postgres did not start: ${(e as Error).message}\n${daemon.log()}`, { cause: e });
      }
    }
  }
}
