/**
 * postgres against Debian's PostgreSQL (initdb into a temp folder, SCRAM
 * logins, TLS with the file's test CA), plus a scripted server for the
 * SSLRequest answer a real server with TLS cannot give.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { describeDaemon, freePort, HOST } from '../../servers/common.ts';
import { startPostgres, POSTGRES_PROGRAMS, type Postgres } from '../../servers/postgres.ts';
import { netFixture } from '../net/fixture.ts';
import { metric, parseOptions, runCheck } from '../net/harness.ts';
import { checkType } from '../../../src/checks/registry.ts';

const net = netFixture('sw-pgt-');
const probe = { username: 'probe', password: 'probe pass "7"' };

describeDaemon('postgres against PostgreSQL', POSTGRES_PROGRAMS, () => {
  let db: Postgres;
  let base: Record<string, unknown>;
  beforeAll(async () => {
    db = await startPostgres({ pem: net.ca.valid });
    const admin = new pg.Client({ host: HOST, port: db.port, user: db.superuser.username, password: db.superuser.password, database: 'postgres' });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE probe LOGIN PASSWORD '${probe.password}'`);
      await admin.query('CREATE DATABASE app OWNER probe');
    } finally {
      await admin.end();
    }
    const owner = new pg.Client({ host: HOST, port: db.port, user: probe.username, password: probe.password, database: 'app' });
    await owner.connect();
    try {
      await owner.query("CREATE TABLE jobs (id int, state text); INSERT INTO jobs VALUES (1, 'done'), (2, 'queued'), (3, 'queued')");
    } finally {
      await owner.end();
    }
    base = { hostname: HOST, port: db.port, username: probe.username, password: probe.password, database: 'app' };
  }, 120_000);
  afterAll(async () => db?.stop());

  it('logs in and logs the server version; response time as a metric, no level without a query', async () => {
    const o = await runCheck('postgres', base);
    expect(o.fail, o.log.join('\n')).toBe(false);
    expect(o.log).toHaveLength(1);
    expect(o.log[0]).toMatch(/^PostgreSQL \d+\.\d+ \(Debian/);
    expect(o.level).toBeNull();
    expect(metric(o, 'response_time')).toBeGreaterThan(0);
  });

  it("a query's first value is logged, judged against expect, and a number becomes level and metric", async () => {
    const o = await runCheck('postgres', { ...base, query: "select count(*) from jobs where state = 'queued'", expect: '2' });
    expect(o.fail, o.log.join('\n')).toBe(false);
    expect(o.log[1]).toBe("query: 1 row, first value '2'");
    expect(o.level).toBe('2');
    expect(metric(o, 'value')).toBe(2);
  });

  it('a value other than expect fails, still showing the value as level', async () => {
    const o = await runCheck('postgres', { ...base, query: "select count(*) from jobs where state = 'queued'", expect: '0' });
    expect(o.fail).toBe(true);
    expect(o.log.at(-1)).toBe("127.0.0.1 UnexpectedValue: '2' is not the expected '0'");
    expect(o.level).toBe('2');
  });

  it('maxValue and minValue judge the value as a number', async () => {
    const q = { ...base, query: 'select count(*) from jobs' };
    expect((await runCheck('postgres', { ...q, maxValue: 3 })).fail).toBe(false);
    const high = await runCheck('postgres', { ...q, maxValue: 2 });
    expect(high.log.at(-1)).toBe("127.0.0.1 UnexpectedValue: '3' is above the maximum 2");
    const low = await runCheck('postgres', { ...q, minValue: 4 });
    expect(low.log.at(-1)).toBe("127.0.0.1 UnexpectedValue: '3' is below the minimum 4");
    const text = await runCheck('postgres', { ...base, query: 'select state from jobs order by id', maxValue: 1 });
    expect(text.log.at(-1)).toBe("127.0.0.1 UnexpectedValue: 'done' is not a number");
  });

  it('values are compared as the text PostgreSQL sends; no rows fails a judgement; NULL is None', async () => {
    expect((await runCheck('postgres', { ...base, query: 'select 1 = 1', expect: 't' })).fail).toBe(false);
    const none = await runCheck('postgres', { ...base, query: "select id from jobs where state = 'lost'", expect: '1' });
    expect(none.log.slice(1)).toEqual(['query: 0 rows', '127.0.0.1 UnexpectedValue: no value to compare (nothing was returned)']);
    const nul = await runCheck('postgres', { ...base, query: 'select null::int', expect: '1' });
    expect(nul.log.slice(1)).toEqual(['query: 1 row, first value None', "127.0.0.1 UnexpectedValue: None is not the expected '1'"]);
  });

  it("a query of several statements: the last one's result counts", async () => {
    const o = await runCheck('postgres', { ...base, query: 'select 1; select 2', expect: '2' });
    expect(o.fail, o.log.join('\n')).toBe(false);
  });

  it('a query without expect passes once it ran', async () => {
    const o = await runCheck('postgres', { ...base, query: 'select state from jobs where id = 1' });
    expect(o.fail).toBe(false);
    expect(o.level).toBeNull();
    expect(o.log[1]).toBe("query: 1 row, first value 'done'");
  });

  it("the session is read-only: a query that writes fails with the server's error", async () => {
    const o = await runCheck('postgres', { ...base, query: "insert into jobs values (9, 'x')" });
    expect(o.fail).toBe(true);
    expect(o.log.at(-1)).toBe('127.0.0.1 PostgresError: cannot execute INSERT in a read-only transaction (SQLSTATE 25006)');
  });

  it("the server is told to stop a query at the run's timeout (statement_timeout)", async () => {
    const o = await runCheck('postgres', { ...base, timeout: 3, query: 'show statement_timeout', expect: '3s' });
    expect(o.fail, o.log.join('\n')).toBe(false);
  });

  it('PGPASSWORD is never read: without a password the login fails', async () => {
    process.env.PGPASSWORD = probe.password;
    try {
      const o = await runCheck('postgres', { ...base, password: undefined });
      expect(o.fail).toBe(true);
      expect(o.log.at(-1)).toMatch(/^127\.0\.0\.1 \w+: /);
    } finally {
      delete process.env.PGPASSWORD;
    }
  });

  it("a wrong password fails with the server's words and never shows the password", async () => {
    const secret = 'not-the-password-5521';
    const o = await runCheck('postgres', { ...base, password: secret });
    expect(o.fail).toBe(true);
    expect(o.log).toEqual(['127.0.0.1 PostgresError: password authentication failed for user "probe" (SQLSTATE 28P01)']);
    expect(JSON.stringify(o)).not.toContain(secret);
  });

  it('an unknown database and a bad query fail with their SQLSTATE', async () => {
    const db2 = await runCheck('postgres', { ...base, database: 'nosuch' });
    expect(db2.log).toEqual(['127.0.0.1 PostgresError: database "nosuch" does not exist (SQLSTATE 3D000)']);
    const q = await runCheck('postgres', { ...base, query: 'selec 1' });
    expect(q.log.at(-1)).toBe('127.0.0.1 PostgresError: syntax error at or near "selec" (SQLSTATE 42601)');
  });

  it('reads the password from a file relative to the site folder', async () => {
    writeFileSync(join(db.dir, 'pg.pass'), `${probe.password}\n`, { mode: 0o600 });
    const o = await runCheck('postgres', { ...base, password: { file: 'pg.pass' } }, db.dir);
    expect(o.fail, o.log.join('\n')).toBe(false);
  });

  it('TLS: a verified handshake, days left as level and metric', async () => {
    const o = await runCheck('postgres', { ...base, hostname: 'localhost', tls: true, ca: net.ca.caFile });
    expect(o.fail, o.log.join('\n')).toBe(false);
    expect(o.level).toBe('90 days');
    expect(metric(o, 'cert_days_left')).toBe(90);
  });

  it('TLS: with a query, the value is the level and the days stay a metric', async () => {
    const o = await runCheck('postgres', { ...base, tls: true, ca: net.ca.caFile, query: 'select 42' });
    expect(o.fail, o.log.join('\n')).toBe(false);
    expect(o.level).toBe('42');
    expect(metric(o, 'cert_days_left')).toBe(90);
  });

  it('TLS: an untrusted certificate fails before any login (a wrong password is never tried)', async () => {
    const failedLogins = (): number => db.log().split('password authentication failed').length;
    const before = failedLogins();
    const o = await runCheck('postgres', { ...base, tls: true, password: 'wrong-never-sent' });
    expect(o.fail).toBe(true);
    expect(o.softFail).toBe('certificate');
    expect(o.log).toEqual(['127.0.0.1 SSLCertVerificationError: certificate verify failed: unable to verify the first certificate']);
    // the server saw a handshake that the client abandoned, and no login
    expect(failedLogins()).toBe(before);
  });

  it('TLS: selfsigned accepts the certificate; the expiry window still applies', async () => {
    expect((await runCheck('postgres', { ...base, tls: true, selfsigned: true })).fail).toBe(false);
    const o = await runCheck('postgres', { ...base, tls: true, selfsigned: true, expiryDays: 100 });
    expect(o.fail).toBe(true);
    expect(o.softFail).toBe('certificate');
    expect(o.log).toEqual(['127.0.0.1 SSLCertVerificationError: Certificate expires in 90 days']);
  });

  it('every run above ended its session politely (no connection reset in the server log)', () => {
    expect(db.log()).toContain('password authentication failed');
    expect(db.log()).not.toMatch(/unexpected EOF on client connection|could not receive data from client/);
  });
});

describe('postgres without a server', () => {
  it('a closed port fails with ConnectionRefusedError', async () => {
    const port = await freePort();
    const o = await runCheck('postgres', { hostname: HOST, port, username: 'u', password: 'p' });
    expect(o.fail).toBe(true);
    expect(o.log).toEqual([`127.0.0.1 ConnectionRefusedError: connect ECONNREFUSED 127.0.0.1:${port}`]);
    expect(o.level).toBeNull();
  });

  it('a CA file that cannot be read fails before connecting', async () => {
    const o = await runCheck('postgres', { hostname: HOST, port: await freePort(), username: 'u', tls: true, ca: '/nonexistent/ca.pem' });
    expect(o.log).toEqual(['127.0.0.1 SSLError: cannot read ca file /nonexistent/ca.pem (ENOENT)']);
  });

  it('a server that answers N to SSLRequest fails with tls, naming it', async () => {
    const server: Server = createServer((s) => s.once('data', () => s.end('N')));
    server.listen(0, HOST);
    await once(server, 'listening');
    try {
      const o = await runCheck('postgres', { hostname: HOST, port: (server.address() as AddressInfo).port, username: 'u', tls: true });
      expect(o.log).toEqual(['127.0.0.1 PostgresError: the server does not accept TLS (it answered N to SSLRequest)']);
    } finally {
      server.close();
    }
  });

  it('a server that sends more after S than the one byte is refused (no data before the handshake)', async () => {
    const server: Server = createServer((s) => s.once('data', () => s.write('Sinjected')));
    server.listen(0, HOST);
    await once(server, 'listening');
    try {
      const o = await runCheck('postgres', { hostname: HOST, port: (server.address() as AddressInfo).port, username: 'u', tls: true, timeout: 3 });
      expect(o.log).toEqual(['127.0.0.1 ProtocolError: the server sent data before the TLS handshake']);
    } finally {
      server.close();
    }
  });
});

describe('postgres options', () => {
  const env = { base: '/', pluginDirs: [], sysRoot: '/sys', procRoot: '/proc' };
  it('username is required; expect and the range need a query; the range must not be empty', () => {
    const t = checkType('postgres')!;
    expect(t.options.safeParse({ hostname: 'db' }).success).toBe(false);
    expect(t.validate!(parseOptions('postgres', { hostname: 'db', username: 'u', expect: '1' }), env)).toEqual([
      { path: ['expect'], message: 'expect needs query' },
    ]);
    expect(t.validate!(parseOptions('postgres', { hostname: 'db', username: 'u', query: 'select 1', minValue: 5, maxValue: 1 }), env)).toEqual([
      { path: ['maxValue'], message: 'maxValue (1) is below minValue (5)' },
    ]);
    expect(t.options.safeParse({ hostname: 'db', username: 'u', port: 70000 }).success).toBe(false);
  });
});
