/**
 * A private Redis (Debian's redis-server) on 127.0.0.1: a plain port and a
 * TLS port (a test CA's certificate), `requirepass` for the default user
 * and an ACL user that may only PING and GET, no persistence.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, spawnDaemon, tempDir, waitForLog, waitPort, type Daemon } from './common.ts';
import type { Pem } from './testca.ts';

export const REDIS = '/usr/bin/redis-server';
export const REDIS_PROGRAMS = [REDIS, '/usr/bin/redis-cli'];

export interface Redis {
  port: number;
  tlsPort: number;
  /** `requirepass` of the default user */
  password: string;
  /** an ACL user allowed PING, GET, AUTH and QUIT only */
  user: { username: string; password: string };
  /** runs a command as the default user (redis-cli), e.g. SET key value */
  cli(...args: string[]): string;
  log(): string;
  stop(): Promise<void>;
}

export async function startRedis(pem: Pem): Promise<Redis> {
  const { dir, cleanup } = tempDir('swrd-');
  const password = 'redis pass 9';
  const user = { username: 'monitor', password: 'monitor-pass' };
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const tlsPort = await freePort();
    const conf = join(dir, 'redis.conf');
    writeFileSync(
      conf,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        'save ""',
        'appendonly no',
        'daemonize no',
        'logfile ""',
        `requirepass "${password}"`,
        `user ${user.username} on >${user.password} ~* +ping +get +auth +quit`,
        `tls-port ${tlsPort}`,
        `tls-cert-file ${pem.certFile}`,
        `tls-key-file ${pem.keyFile}`,
        'tls-auth-clients no',
      ].join('\n') + '\n',
    );
    const daemon: Daemon = spawnDaemon('redis', dir, REDIS, [conf]);
    try {
      await Promise.all([waitPort(port), waitPort(tlsPort)]);
      await waitForLog(daemon, 'Ready to accept connections');
      return {
        port,
        tlsPort,
        password,
        user,
        log: daemon.log,
        cli: (...args) =>
          execFileSync('/usr/bin/redis-cli', ['-h', '127.0.0.1', '-p', String(port), '--no-auth-warning', '-a', password, ...args], {
            encoding: 'utf8',
          }).trim(),
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
        throw new Error(`redis-server did not start: ${(e as Error).message}\n${daemon.log()}`, { cause: e });
      }
    }
  }
}
