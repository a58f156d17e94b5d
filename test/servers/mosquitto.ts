/**
 * A real Mosquitto broker on 127.0.0.1 (recipe: toolchain.md §3.1): a plain
 * anonymous listener, and optionally a password listener and a TLS listener
 * whose certificate is signed by a throw-away test CA. `stop()`/`start()`
 * restart it on the same ports (an outage); with `persistence` the retained
 * messages and persistent sessions survive the restart, as on a real broker.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, spawnDaemon, tempDir, waitPort, type Daemon } from './common.ts';

export const MOSQUITTO = '/usr/sbin/mosquitto';
export const MOSQUITTO_PROGRAMS = [MOSQUITTO, '/usr/bin/mosquitto_passwd', '/usr/bin/openssl'];

export interface MosquittoOptions {
  /** a listener that needs user `probe` / password `s3cret` */
  auth?: boolean;
  /** a TLS listener (certificate for localhost and 127.0.0.1, signed by `caFile`), also with the password */
  tls?: boolean;
  /** keep retained messages and sessions across stop/start */
  persistence?: boolean;
  /** mosquitto `log_type` (default `all`; benchmarks pass `error`: logging every PUBLISH costs the broker) */
  logType?: string;
  /** more mosquitto.conf lines for the default listener, e.g. `max_queued_messages 0` */
  extraConfig?: string[];
}

export interface Mosquitto {
  dir: string;
  /** plain anonymous listener */
  port: number;
  authPort: number | null;
  tlsPort: number | null;
  /** PEM of the CA that signed the TLS listener's certificate */
  caFile: string | null;
  user: { username: string; password: string };
  log(): string;
  running(): boolean;
  /** stops the broker (SIGTERM: it saves its persistence first) */
  stop(): Promise<void>;
  /** starts it again on the same ports */
  start(): Promise<void>;
  /** SIGSTOP (true) or SIGCONT (false): a hung broker keeps its sockets open and answers nothing */
  freeze(on: boolean): void;
  /** stops it and removes its folder */
  close(): Promise<void>;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('/usr/bin/openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** A test CA and a server certificate for localhost / 127.0.0.1 signed by it. */
export function makeTestCa(dir: string): { ca: string; cert: string; key: string } {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(dir, [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=siteward test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  openssl(dir, ['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost']);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.crt',
    '-days',
    '2',
    '-extfile',
    'server.ext',
  ]);
  return { ca: join(dir, 'ca.crt'), cert: join(dir, 'server.crt'), key: join(dir, 'server.key') };
}

export async function startMosquitto(o: MosquittoOptions = {}): Promise<Mosquitto> {
  const { dir, cleanup } = tempDir('swmq-');
  const user = { username: 'probe', password: 's3cret' };
  const port = await freePort();
  const authPort = o.auth ? await freePort() : null;
  const tlsPort = o.tls ? await freePort() : null;
  const lines = [
    'per_listener_settings true',
    `persistence ${o.persistence ? 'true' : 'false'}`,
    `persistence_location ${dir}/`,
    'log_dest stderr',
    `log_type ${o.logType ?? 'all'}`,
    // without this, mosquitto drops to user "mosquitto", which cannot read a private temp dir
    'user root',
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    ...(o.extraConfig ?? []),
  ];
  let caFile: string | null = null;
  if (o.auth || o.tls) {
    execFileSync('/usr/bin/mosquitto_passwd', ['-b', '-c', join(dir, 'passwd'), user.username, user.password], { stdio: 'pipe' });
  }
  if (authPort) lines.push(`listener ${authPort} 127.0.0.1`, 'allow_anonymous false', `password_file ${join(dir, 'passwd')}`);
  if (tlsPort) {
    const pki = makeTestCa(dir);
    caFile = pki.ca;
    lines.push(`listener ${tlsPort} 127.0.0.1`, 'allow_anonymous false', `password_file ${join(dir, 'passwd')}`, `certfile ${pki.cert}`, `keyfile ${pki.key}`);
  }
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, `${lines.join('\n')}\n`);
  let d: Daemon | null = null;
  const ports = [port, authPort, tlsPort].filter((p): p is number => p !== null);
  const start = async (): Promise<void> => {
    if (d && d.proc.exitCode === null && d.proc.signalCode === null) return;
    d = spawnDaemon('mosquitto', dir, MOSQUITTO, ['-c', conf]);
    try {
      await Promise.all(ports.map((p) => waitPort(p)));
    } catch (e) {
      throw new Error(`mosquitto did not start: ${(e as Error).message}\n${d.log()}`, { cause: e });
    }
  };
  const stop = async (): Promise<void> => {
    await d?.stop();
  };
  await start();
  return {
    dir,
    port,
    authPort,
    tlsPort,
    caFile,
    user,
    log: () => d?.log() ?? '',
    running: () => d !== null && d.proc.exitCode === null && d.proc.signalCode === null,
    stop,
    start,
    freeze: (on) => void d?.proc.kill(on ? 'SIGSTOP' : 'SIGCONT'),
    close: async () => {
      await stop();
      cleanup();
    },
  };
}
