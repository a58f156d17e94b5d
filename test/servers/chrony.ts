/**
 * A private chrony (Debian's chrony) serving NTP on 127.0.0.1: `chronyd -x`
 * (never touches the system clock) in the foreground, its own clock as a
 * `local stratum` reference, no command port, everything in a temp folder.
 */
import { createSocket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, spawnDaemon, tempDir, type Daemon } from './common.ts';

export const CHRONYD = '/usr/sbin/chronyd';

export interface Chrony {
  port: number;
  stratum: number;
  log(): string;
  stop(): Promise<void>;
}

/** True once a client request on `port` is answered (the server is up). */
async function answers(port: number): Promise<boolean> {
  const sock = createSocket('udp4');
  try {
    return await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), 300);
      sock.on('error', () => resolve(false));
      sock.on('message', () => {
        clearTimeout(t);
        resolve(true);
      });
      const req = Buffer.alloc(48);
      req[0] = (4 << 3) | 3;
      sock.send(req, port, '127.0.0.1');
    });
  } finally {
    sock.close();
  }
}

export async function startChrony(stratum = 8): Promise<Chrony> {
  const { dir, cleanup } = tempDir('swntp-');
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const conf = join(dir, 'chrony.conf');
    writeFileSync(
      conf,
      [
        `port ${port}`,
        'bindaddress 127.0.0.1',
        `local stratum ${stratum}`,
        'allow 127.0.0.1',
        'cmdport 0',
        `pidfile ${join(dir, 'chronyd.pid')}`,
        `driftfile ${join(dir, 'drift')}`,
      ].join('\n') + '\n',
    );
    // -x: serve time without adjusting the system clock; -d: foreground, log to stderr
    const user = process.getuid?.() === 0 ? ['-u', 'root'] : [];
    const daemon: Daemon = spawnDaemon('chronyd', dir, CHRONYD, ['-x', '-d', '-f', conf, ...user]);
    const end = Date.now() + 15_000;
    while (Date.now() < end && daemon.proc.exitCode === null && !(await answers(port))) await new Promise((r) => setTimeout(r, 100));
    if (daemon.proc.exitCode === null && (await answers(port))) {
      return {
        port,
        stratum,
        log: daemon.log,
        stop: async () => {
          await daemon.stop();
          cleanup();
        },
      };
    }
    await daemon.stop();
    // a port picked free can be taken before the server binds it
    if (attempt >= 3) {
      cleanup();
      throw new Error(`chronyd did not answer on port ${port}\n${daemon.log()}`);
    }
  }
}
