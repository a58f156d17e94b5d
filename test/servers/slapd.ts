/**
 * A private OpenLDAP (Debian's slapd) on 127.0.0.1: a slapd.conf with an
 * mdb database for dc=example,dc=org loaded with slapadd, an LDAP port
 * (StartTLS available) and an LDAPS port with a test CA's certificate;
 * anonymous reads allowed (OpenLDAP's default access), a bind user.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, spawnDaemon, tempDir, waitPort, type Daemon } from './common.ts';
import type { Pem } from './testca.ts';

export const SLAPD = '/usr/sbin/slapd';
export const SLAPD_PROGRAMS = [SLAPD, '/usr/sbin/slapadd', '/usr/sbin/slappasswd'];

export interface Slapd {
  port: number;
  ldapsPort: number;
  base: string;
  /** a user that may bind: its DN and password */
  user: { dn: string; password: string };
  log(): string;
  stop(): Promise<void>;
}

export async function startSlapd(pem: Pem): Promise<Slapd> {
  const { dir, cleanup } = tempDir('swldap-');
  const base = 'dc=example,dc=org';
  const user = { dn: `uid=monitor,ou=people,${base}`, password: 'monitor pass 5' };
  const hash = execFileSync('/usr/sbin/slappasswd', ['-s', user.password], { encoding: 'utf8' }).trim();
  mkdirSync(join(dir, 'db'));
  const conf = join(dir, 'slapd.conf');
  writeFileSync(
    conf,
    [
      'include /etc/ldap/schema/core.schema',
      'include /etc/ldap/schema/cosine.schema',
      'include /etc/ldap/schema/inetorgperson.schema',
      `pidfile ${join(dir, 'slapd.pid')}`,
      'modulepath /usr/lib/ldap',
      'moduleload back_mdb',
      `TLSCertificateFile ${pem.certFile}`,
      `TLSCertificateKeyFile ${pem.keyFile}`,
      'database mdb',
      'maxsize 10485760',
      `suffix "${base}"`,
      `rootdn "cn=admin,${base}"`,
      `directory ${join(dir, 'db')}`,
    ].join('\n') + '\n',
  );
  const person = (uid: string, extra: string[] = []): string =>
    [`dn: uid=${uid},ou=people,${base}`, 'objectClass: inetOrgPerson', `uid: ${uid}`, `cn: ${uid}`, `sn: ${uid}`, ...extra, ''].join('\n');
  const ldif = [
    [`dn: ${base}`, 'objectClass: dcObject', 'objectClass: organization', 'o: Example', 'dc: example', ''].join('\n'),
    [`dn: ou=people,${base}`, 'objectClass: organizationalUnit', 'ou: people', ''].join('\n'),
    person('monitor', [`userPassword: ${hash}`]),
    person('alice'),
    person('bob'),
  ].join('\n');
  writeFileSync(join(dir, 'data.ldif'), ldif);
  execFileSync('/usr/sbin/slapadd', ['-f', conf, '-l', join(dir, 'data.ldif')], { stdio: 'pipe' });
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const ldapsPort = await freePort();
    // -d 256: stay in the foreground and log each operation (stats)
    const daemon: Daemon = spawnDaemon('slapd', dir, SLAPD, ['-f', conf, '-h', `ldap://127.0.0.1:${port}/ ldaps://127.0.0.1:${ldapsPort}/`, '-d', '256']);
    try {
      await Promise.all([waitPort(port), waitPort(ldapsPort)]);
      return {
        port,
        ldapsPort,
        base,
        user,
        log: daemon.log,
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
        throw new Error(`slapd did not start: ${(e as Error).message}\n${daemon.log()}`, { cause: e });
      }
    }
  }
}
