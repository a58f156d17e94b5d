/**
 * imap (spec §4.4) against Dovecot serving IMAPS and IMAP+STARTTLS with a
 * passwd-file user, plus scripted servers for protocol edge cases. The
 * expected lines were checked against Python's imaplib talking to the same
 * Dovecot.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestCa, type TestCa } from '../../servers/testca.ts';
import { startScripted, type Running } from '../../servers/tls-servers.ts';
import { tempDir, describeDaemon, freePort } from '../../servers/common.ts';
import { startDovecot, DOVECOT, type Dovecot } from '../../servers/dovecot.ts';
import { checkType } from '../../../src/checks/registry.ts';
import { runCheck, metric, parseOptions } from './harness.ts';

let ca: TestCa;
let dir: { dir: string; cleanup: () => void };

beforeAll(async () => {
  dir = tempDir('sw-imap-');
  ca = await createTestCa(dir.dir);
});
afterAll(() => dir.cleanup());

const NOOP = "('OK', [b'NOOP completed.'])";
/** after a login Dovecot adds its timing to the NOOP reply */
const NOOP_AUTHED = /^\('OK', \[b'NOOP completed \([0-9.]+ \+ [0-9.]+ secs\)\.'\]\)$/;
const BYE = "('BYE', [b'Logging out'])";

describeDaemon('imap against Dovecot', [DOVECOT], () => {
  let d: Dovecot;
  beforeAll(async () => {
    d = await startDovecot(dir.dir, ca.valid);
  });
  afterAll(async () => d.stop());

  it('IMAPS: NOOP and LOGOUT replies as imaplib returns them, days left as level', async () => {
    const o = await runCheck('imap', { hostname: 'localhost', port: d.imapsPort, ca: ca.caFile });
    expect(o.fail).toBe(false);
    expect(o.log).toEqual([NOOP, BYE]);
    expect(o.level).toBe('90 days');
    expect(metric(o, 'cert_days_left')).toBe(90);
    expect(metric(o, 'response_time')).toBeGreaterThanOrEqual(0);
  });

  it('STARTTLS on the plain port with tls: the STARTTLS reply is logged first', async () => {
    const o = await runCheck('imap', { hostname: 'localhost', port: d.imapPort, tls: true, ca: ca.caFile });
    expect(o.fail).toBe(false);
    expect(o.log).toEqual(["('OK', [b'Begin TLS negotiation now.'])", NOOP, BYE]);
    expect(o.level).toBe('90 days');
  });

  it('logs in with a password that needs quoting', async () => {
    const o = await runCheck('imap', { hostname: 'localhost', port: d.imapsPort, ca: ca.caFile, username: d.user, password: d.password });
    expect(o.fail).toBe(false);
    expect(o.log[0]).toBe("('OK', [b'Logged in'])");
    expect(o.log[1]).toMatch(NOOP_AUTHED);
    expect(o.log[2]).toBe(BYE);
  });

  it('logs in over STARTTLS with a non-ASCII password (sent as a literal)', async () => {
    const o = await runCheck('imap', {
      hostname: 'localhost',
      port: d.imapPort,
      tls: true,
      ca: ca.caFile,
      username: d.unicodeUser,
      password: d.unicodePassword,
    });
    expect(o.fail).toBe(false);
    expect(o.log.slice(0, 2)).toEqual(["('OK', [b'Begin TLS negotiation now.'])", "('OK', [b'Logged in'])"]);
  });

  it("a wrong password fails with the server's reply and never shows the password", async () => {
    const secret = 'wrong-but-secret-9417';
    const o = await runCheck('imap', { hostname: 'localhost', port: d.imapsPort, ca: ca.caFile, username: d.user, password: secret });
    expect(o.fail).toBe(true);
    expect(o.softFail).toBeNull();
    expect(o.log).toEqual([`localhost IMAPError: LOGIN failed for "probe": ('NO', [b'[AUTHENTICATIONFAILED] Authentication failed.'])`]);
    expect(JSON.stringify(o)).not.toContain(secret);
  });

  it('reads the password from an environment variable or a file (relative to the site folder)', async () => {
    const env = 'SW_TEST_IMAP_PASSWORD';
    process.env[env] = d.password;
    try {
      const a = await runCheck('imap', { hostname: 'localhost', port: d.imapsPort, ca: ca.caFile, username: d.user, password: { env } });
      expect(a.fail, a.log.join('\n')).toBe(false);
    } finally {
      delete process.env[env];
    }
    writeFileSync(join(dir.dir, 'imap.pass'), `${d.password}\n`, { mode: 0o600 });
    const b = await runCheck('imap', { hostname: 'localhost', port: d.imapsPort, ca: ca.caFile, username: d.user, password: { file: 'imap.pass' } }, dir.dir);
    expect(b.fail, b.log.join('\n')).toBe(false);
  });

  it('a password variable that is not set fails before connecting, naming the variable', async () => {
    // a closed port: connecting first would fail with ECONNREFUSED instead
    const o = await runCheck('imap', {
      hostname: 'localhost',
      port: await freePort(),
      ca: ca.caFile,
      username: d.user,
      password: { env: 'SW_TEST_NOT_SET_ANYWHERE' },
    });
    expect(o.fail).toBe(true);
    expect(o.log).toEqual(['localhost SecretError: environment variable SW_TEST_NOT_SET_ANYWHERE is not set']);
  });
});

describe('imap protocol edges (scripted servers)', () => {
  const servers: Running[] = [];
  afterAll(async () => Promise.all(servers.map((s) => s.close())));

  /** A plain IMAP server: greeting, then `answer(tag, command)` per line. */
  async function imapServer(greeting: string, answer: (tag: string, cmd: string) => string | null): Promise<number> {
    const s = await startScripted(greeting, (line) => {
      const [tag, ...rest] = line.split(' ');
      return answer(tag, rest.join(' '));
    });
    servers.push(s);
    return s.port;
  }

  it('fails when STARTTLS is not offered', async () => {
    const port = await imapServer('* OK ready\r\n', (t, c) => (c === 'CAPABILITY' ? `* CAPABILITY IMAP4rev1\r\n${t} OK done\r\n` : null));
    const o = await runCheck('imap', { hostname: '127.0.0.1', port, tls: true });
    expect(o.log).toEqual(['127.0.0.1 IMAPError: STARTTLS not supported by server']);
  });

  it('fails when the server is not IMAP4rev1 (as imaplib)', async () => {
    const port = await imapServer('* OK ready\r\n', (t, c) => (c === 'CAPABILITY' ? `* CAPABILITY IMAP2\r\n${t} OK done\r\n` : null));
    const o = await runCheck('imap', { hostname: '127.0.0.1', port, tls: true });
    expect(o.log).toEqual(['127.0.0.1 IMAPError: server not IMAP4 compliant']);
  });

  it("a greeting of BYE fails with the server's words", async () => {
    const port = await imapServer('* BYE too many connections\r\n', () => null);
    const o = await runCheck('imap', { hostname: '127.0.0.1', port, tls: true });
    expect(o.log).toEqual(["127.0.0.1 IMAPError: server refused the session: b'* BYE too many connections'"]);
  });

  it('a BAD reply fails with the command named; literals in untagged data are read through', async () => {
    const port = await imapServer('* OK ready\r\n', (t, c) =>
      c === 'CAPABILITY' ? `* CAPABILITY {20}\r\nIMAP4rev1 STARTTLS x\r\n${t} BAD no capability today\r\n` : null,
    );
    const o = await runCheck('imap', { hostname: '127.0.0.1', port, tls: true });
    expect(o.log).toEqual(["127.0.0.1 IMAPError: CAPABILITY command error: BAD [b'no capability today']"]);
  });
});

describe('imap options', () => {
  it('username and password go together', () => {
    const t = checkType('imap')!;
    const env = { base: '/', pluginDirs: [], sysRoot: '/sys', procRoot: '/proc' };
    expect(t.validate!(parseOptions('imap', { hostname: 'h', username: 'u' }), env)).toEqual([
      { path: ['password'], message: 'a password is needed with username' },
    ]);
    expect(t.validate!(parseOptions('imap', { hostname: 'h', password: 'p' }), env)).toEqual([
      { path: ['username'], message: 'a username is needed with password' },
    ]);
    expect(t.validate!(parseOptions('imap', { hostname: 'h', username: 'u', password: { file: 'p' } }), env)).toEqual([]);
  });
});
