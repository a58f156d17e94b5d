/**
 * A private Dovecot (IMAPS + IMAP/STARTTLS, passwd-file user) on 127.0.0.1,
 * after toolchain.md §3.2. Each instance has its own folder, ports and
 * certificate, so several can run at once (one per test certificate).
 */
import { chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, waitPort, spawnDaemon, HOST, type Daemon } from './common.ts';
import type { Pem } from './testca.ts';

export const DOVECOT = '/usr/sbin/dovecot';

export interface Dovecot {
  /** implicit TLS (IMAPS) */
  imapsPort: number;
  /** plain IMAP with STARTTLS (LOGINDISABLED until TLS: ssl = required) */
  imapPort: number;
  user: string;
  /** has a space, a double quote and a backslash: sent as an IMAP quoted string */
  password: string;
  /** a second user whose password is not ASCII: sent as an IMAP literal */
  unicodeUser: string;
  unicodePassword: string;
  daemon: Daemon;
  stop(): Promise<void>;
}

const NOGROUP_GID = 65534;
const NOBODY_UID = 65534;

/**
 * Starts Dovecot in the foreground under `dir` (which must be mode 0755: see
 * tempDir). A port picked free can be taken by another test before Dovecot
 * binds it, so a failed start is retried with new ports.
 */
export async function startDovecot(dir: string, pem: Pem, name = 'imap'): Promise<Dovecot> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(dir, pem, attempt === 1 ? name : `${name}-${attempt}`);
    } catch (e) {
      if (attempt >= 3) throw e;
    }
  }
}

async function startOnce(dir: string, pem: Pem, name: string): Promise<Dovecot> {
  const root = join(dir, name);
  for (const d of ['run', 'state', 'mail']) mkdirSync(join(root, d), { recursive: true, mode: 0o755 });
  // mail processes run as nobody (userdb below)
  chownSync(join(root, 'mail'), NOBODY_UID, NOGROUP_GID);
  const user = 'probe';
  const password = 's3cret "quoted" \\pass';
  const unicodeUser = 'uni';
  const unicodePassword = 'pässwörd✓';
  // {PLAIN} keeps the fixture free of doveadm; the scheme does not matter to the check
  writeFileSync(join(root, 'users'), `${user}:{PLAIN}${password}::::::\n${unicodeUser}:{PLAIN}${unicodePassword}::::::\n`, { mode: 0o644 });
  const imapsPort = await freePort();
  const imapPort = await freePort();
  const conf = join(root, 'dovecot.conf');
  writeFileSync(
    conf,
    `base_dir = ${join(root, 'run')}
state_dir = ${join(root, 'state')}
instance_name = sw-${name}-${process.pid}
protocols = imap
listen = ${HOST}
log_path = ${join(root, 'dovecot.log')}
ssl = required
ssl_cert = <${pem.certFile}
ssl_key = <${pem.keyFile}
auth_mechanisms = plain login
auth_failure_delay = 0
passdb {
  driver = passwd-file
  args = ${join(root, 'users')}
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=${join(root, 'mail')}/%u
}
mail_location = maildir:~/Maildir
service imap-login {
  inet_listener imap {
    address = ${HOST}
    port = ${imapPort}
  }
  inet_listener imaps {
    address = ${HOST}
    port = ${imapsPort}
    ssl = yes
  }
}
`,
  );
  const daemon = spawnDaemon(`dovecot-${name}`, root, DOVECOT, ['-F', '-c', conf]);
  try {
    await waitPort(imapsPort, 20_000);
    await waitPort(imapPort, 20_000);
  } catch (e) {
    await daemon.stop();
    throw new Error(`dovecot did not start: ${String(e)}\n${daemon.log()}`);
  }
  return { imapsPort, imapPort, user, password, unicodeUser, unicodePassword, daemon, stop: () => daemon.stop() };
}
