/**
 * A private MariaDB (Debian's mariadb-server) on 127.0.0.1:
 * `mariadb-install-db` into a temp folder, `mariadbd` in the foreground on
 * a port picked free, an init file that creates the test user and data,
 * optionally TLS with a test CA's certificate.
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { freePort, spawnDaemon, tempDir, waitForLog, waitPort, type Daemon } from './common.ts';
import type { Pem } from './testca.ts';

export const MARIADBD = '/usr/sbin/mariadbd';
export const MARIADB_PROGRAMS = [MARIADBD, '/usr/bin/mariadb-install-db', '/usr/bin/mariadb'];

export interface MariaDb {
  port: number;
  dir: string;
  daemon: Daemon;
  log(): string;
  /** serves another certificate from now on (FLUSH SSL as the server's superuser) */
  useCertificate(pem: Pem): void;
  stop(): Promise<void>;
}

/**
 * Starts MariaDB; `init` is SQL run at start-up as the server's own
 * superuser (users, grants, data).
 */
export async function startMariaDb(o: { init: string; pem?: Pem }): Promise<MariaDb> {
  const { dir, cleanup } = tempDir('swmy-');
  const data = join(dir, 'data');
  const user = process.getuid?.() === 0 ? ['--user=root'] : [];
  execFileSync('/usr/bin/mariadb-install-db', ['--no-defaults', `--datadir=${data}`, '--skip-test-db', '--auth-root-authentication-method=socket', ...user], {
    stdio: 'pipe',
    cwd: dir,
  });
  const init = join(dir, 'init.sql');
  writeFileSync(init, o.init);
  const certFile = join(dir, 'server.crt');
  const keyFile = join(dir, 'server.key');
  const place = (pem: Pem): void => {
    copyFileSync(pem.certFile, certFile);
    copyFileSync(pem.keyFile, keyFile);
  };
  if (o.pem) place(o.pem);
  const tls = o.pem ? [`--ssl-cert=${certFile}`, `--ssl-key=${keyFile}`] : [];
  const socket = join(dir, 'my.sock');
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const daemon = spawnDaemon('mariadb', dir, MARIADBD, [
      '--no-defaults',
      `--datadir=${data}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--socket=${socket}`,
      `--pid-file=${join(dir, 'my.pid')}`,
      '--skip-log-bin',
      '--skip-name-resolve',
      '--innodb-buffer-pool-size=16M',
      `--init-file=${init}`,
      '--log-warnings=4',
      ...tls,
      ...user,
    ]);
    try {
      await waitPort(port, 30_000);
      await waitForLog(daemon, 'ready for connections');
      return {
        port,
        dir,
        daemon,
        log: daemon.log,
        useCertificate: (pem) => {
          place(pem);
          // the superuser logs in over the socket as the OS user (install-db: unix_socket authentication)
          execFileSync('/usr/bin/mariadb', ['--no-defaults', `--socket=${socket}`, '-u', 'root', '-e', 'FLUSH SSL'], { stdio: 'pipe' });
        },
        stop: async () => {
          await daemon.stop();
          cleanup();
        },
      };
    } catch (e) {
      await daemon.stop();
      // a port picked free can be taken before the server binds it
      if (attempt >= 3) {
        cleanup();
        throw new Error(`mariadbd did not start: ${(e as Error).message}\n${daemon.log()}`, { cause: e });
      }
    }
  }
}
