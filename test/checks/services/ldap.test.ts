/**
 * ldap against Debian's slapd (a slapd.conf and an mdb database loaded
 * with slapadd): StartTLS and LDAPS with the file's test CA, a simple bind,
 * searches whose entries are counted.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { describeDaemon, freePort, HOST } from '../../servers/common.ts';
import { startSlapd, SLAPD_PROGRAMS, type Slapd } from '../../servers/slapd.ts';
import { netFixture } from '../net/fixture.ts';
import { metric, parseOptions, runCheck } from '../net/harness.ts';
import { checkType } from '../../../src/checks/registry.ts';

const net = netFixture('sw-ldt-');
const PEOPLE = 'ou=people,dc=example,dc=org';

describeDaemon('ldap against slapd', SLAPD_PROGRAMS, () => {
  let d: Slapd;
  let bind: Record<string, unknown>;
  beforeAll(async () => {
    d = await startSlapd(net.ca.valid);
    bind = { hostname: 'localhost', port: d.port, ca: net.ca.caFile, username: d.user.dn, password: d.user.password };
  }, 60_000);
  afterAll(async () => d?.stop());

  it("StartTLS, bind, search: the count is the level and a metric, with the certificate's days", async () => {
    const o = await runCheck('ldap', { ...bind, base: PEOPLE, filter: '(objectClass=inetOrgPerson)', expectCount: 3 });
    expect(o.fail, o.log.join('\n')).toBe(false);
    expect(o.log).toEqual([
      'StartTLS: success',
      "bind as 'uid=monitor,ou=people,dc=example,dc=org': success",
      "search 'ou=people,dc=example,dc=org' sub '(objectClass=inetOrgPerson)': 3 entries",
    ]);
    expect(o.level).toBe('3');
    expect(metric(o, 'entries')).toBe(3);
    expect(metric(o, 'cert_days_left')).toBe(90);
    expect(metric(o, 'response_time')).toBeGreaterThan(0);
  });

  it('another count than expected fails, still showing the count', async () => {
    const o = await runCheck('ldap', { ...bind, base: PEOPLE, filter: '(objectClass=inetOrgPerson)', expectCount: 2 });
    expect(o.fail).toBe(true);
    expect(o.log.at(-1)).toBe('localhost UnexpectedCount: 3 entries found, 2 expected');
    expect(o.level).toBe('3');
    const few = await runCheck('ldap', { ...bind, base: PEOPLE, filter: '(uid=alice)', minCount: 2 });
    expect(few.log.at(-1)).toBe('localhost UnexpectedCount: 1 entries found, at least 2 expected');
    expect((await runCheck('ldap', { ...bind, base: PEOPLE, filter: '(uid=alice)', minCount: 1 })).fail).toBe(false);
  });

  it('scope: the base entry alone, or its children', async () => {
    const baseOnly = await runCheck('ldap', { ...bind, base: PEOPLE, scope: 'base' });
    expect(baseOnly.level).toBe('1');
    const children = await runCheck('ldap', { ...bind, base: 'dc=example,dc=org', scope: 'one' });
    expect(children.log.at(-1)).toBe("search 'dc=example,dc=org' one '(objectClass=*)': 1 entry");
  });

  it("a wrong password fails with the server's result and never shows the password", async () => {
    const secret = 'wrong-ldap-pass-2277';
    const o = await runCheck('ldap', { ...bind, password: secret, base: PEOPLE });
    expect(o.fail).toBe(true);
    expect(o.log).toEqual(['StartTLS: success', expect.stringMatching(/^localhost InvalidCredentialsError: .*Code: 0x31$/)]);
    expect(JSON.stringify(o)).not.toContain(secret);
  });

  it("a base that does not exist fails with the server's result", async () => {
    const o = await runCheck('ldap', { ...bind, base: 'ou=nosuch,dc=example,dc=org' });
    expect(o.log.at(-1)).toMatch(/^localhost NoSuchObjectError: .*Code: 0x20$/);
  });

  it('LDAPS, anonymous, without a base: the root DSE is read; the days are the level', async () => {
    const o = await runCheck('ldap', { hostname: HOST, port: d.ldapsPort, tls: 'implicit', ca: net.ca.caFile });
    expect(o.fail, o.log.join('\n')).toBe(false);
    expect(o.log).toEqual(['root DSE: LDAP version 3']);
    expect(o.level).toBe('90 days');
  });

  it('plain text, anonymous search (OpenLDAP lets anyone read by default)', async () => {
    const o = await runCheck('ldap', { hostname: HOST, port: d.port, tls: 'none', base: PEOPLE, filter: '(uid=bob)', expectCount: 1 });
    expect(o.fail, o.log.join('\n')).toBe(false);
    expect(o.log).toEqual(["search 'ou=people,dc=example,dc=org' sub '(uid=bob)': 1 entry"]);
  });

  it('an untrusted certificate fails StartTLS before any bind (soft-fail certificate)', async () => {
    const binds = (): number => d.log().split('BIND dn="uid=monitor').length;
    const before = binds();
    const o = await runCheck('ldap', { ...bind, ca: undefined, base: PEOPLE });
    expect(o.softFail).toBe('certificate');
    expect(o.log).toEqual(['localhost SSLCertVerificationError: certificate verify failed: unable to verify the first certificate']);
    expect(binds()).toBe(before);
  });

  it('selfsigned accepts the certificate but keeps the expiry window', async () => {
    const o = await runCheck('ldap', { ...bind, ca: undefined, selfsigned: true, expiryDays: 100, base: PEOPLE });
    expect(o.log).toEqual(['StartTLS: success', 'localhost SSLCertVerificationError: Certificate expires in 90 days']);
    expect((await runCheck('ldap', { ...bind, ca: undefined, selfsigned: true, base: PEOPLE })).fail).toBe(false);
  });

  it('a run ends its session with an unbind, not a dropped connection', async () => {
    const before = d.log().length;
    expect((await runCheck('ldap', { ...bind, base: PEOPLE })).fail).toBe(false);
    for (let i = 0; i < 100 && !d.log().slice(before).includes(' closed'); i++) await new Promise((r) => setTimeout(r, 50));
    const log = d.log().slice(before);
    expect(log).toMatch(/UNBIND/);
    expect(log).not.toMatch(/connection lost/);
  });
});

describe('ldap without a server', () => {
  it('a closed port fails with ConnectionRefusedError', async () => {
    const port = await freePort();
    const o = await runCheck('ldap', { hostname: HOST, port });
    expect(o.log).toEqual([`127.0.0.1 ConnectionRefusedError: connect ECONNREFUSED 127.0.0.1:${port}`]);
  });
});

describe('ldap options', () => {
  const t = checkType('ldap')!;
  const env = { base: '/', pluginDirs: [], sysRoot: '/sys', procRoot: '/proc' };
  it('tls is one of starttls, implicit, none; a filter must be parenthesised and balanced', () => {
    expect(t.options.safeParse({ hostname: 'l', tls: true }).success).toBe(false);
    expect(t.options.safeParse({ hostname: 'l', filter: 'uid=alice' }).success).toBe(false);
    expect(t.options.safeParse({ hostname: 'l', filter: '(&(uid=alice)(cn=x)' }).success).toBe(false);
    expect(t.options.safeParse({ hostname: 'l', filter: '(&(uid=a\\29b)(cn=x))' }).success).toBe(true);
  });
  it('a bind DN needs a password (no unauthenticated bind); counts need a base', () => {
    expect(t.validate!(parseOptions('ldap', { hostname: 'l', username: 'cn=x' }), env)).toEqual([
      { path: ['password'], message: 'a password is needed with username' },
    ]);
    expect(t.validate!(parseOptions('ldap', { hostname: 'l', expectCount: 1 }), env)).toEqual([{ path: ['expectCount'], message: 'expectCount needs base' }]);
  });
});
