/**
 * mysql against Debian's MariaDB (mariadb-install-db into a temp folder,
 * a password user, TLS with the file's test CA).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { once } from 'node:events';
import { describeDaemon, freePort, HOST } from '../../servers/common.ts';
import { startMariaDb, MARIADB_PROGRAMS, type MariaDb } from '../../servers/mariadb.ts';
import { netFixture } from '../net/fixture.ts';
import { metric, parseOptions, runCheck } from '../net/harness.ts';
import { checkType } from '../../../src/checks/registry.ts';

const net = netFixture('sw-myt-');
const probe = { username: 'probe', password: 'probe pass "7"' };
const INIT = `
CREATE USER 'probe'@'%' IDENTIFIED BY 'probe pass "7"';
CREATE DATABASE app;
CREATE TABLE app.jobs (id INT, state VARCHAR(20));
INSERT INTO app.jobs VALUES (1, 'done'), (2, 'queued'), (3, 'queued');
GRANT SELECT, INSERT ON app.* TO 'probe'@'%';
`;

describeDaemon('mysql against MariaDB', MARIADB_PROGRAMS, () => {
  let db: MariaDb;
  let base: Record<string, unknown>;
  beforeAll(async () => {
    db = await startMariaDb({ init: INIT, pem: net.ca.valid });
    base = { hostname: HOST, port: db.port, username: probe.username, password: probe.password, database: 'app' };
  }, 120_000);
  afterAll(async () => db?.stop());

  it('logs in and logs the server version; response time as a metric', async () => {
    const o = await runCheck('mysql', base);
    expect(o.fail, o.log.join('\n')).toBe(false);
    expect(o.log).toHaveLength(1);
    expect(o.log[0]).toMatch(/^server \d+\.\d+\.\d+-MariaDB/);
    expect(o.level).toBeNull();
    expect(metric(o, 'response_time')).toBeGreaterThan(0);
  });

  it("a query's first value is logged and judged; a number becomes level and metric", async () => {
    const o = await runCheck('mysql', { ...base, query: "select count(*) from jobs where state = 'queued'", expect: '2' });
    expect(o.fail, o.log.join('\n')).toBe(false);
    expect(o.log[1]).toBe("query: 1 row, first value '2'");
    expect(o.level).toBe('2');
    expect(metric(o, 'value')).toBe(2);
  });

  it('a value other than expect fails; the range judges numbers', async () => {
    const o = await runCheck('mysql', { ...base, query: 'select count(*) from jobs', expect: '0' });
    expect(o.fail).toBe(true);
    expect(o.log.at(-1)).toBe("127.0.0.1 UnexpectedValue: '3' is not the expected '0'");
    expect(o.level).toBe('3');
    const high = await runCheck('mysql', { ...base, query: 'select count(*) from jobs', maxValue: 2 });
    expect(high.log.at(-1)).toBe("127.0.0.1 UnexpectedValue: '3' is above the maximum 2");
    expect((await runCheck('mysql', { ...base, query: 'select count(*) from jobs', minValue: 3, maxValue: 3 })).fail).toBe(false);
  });

  it('values are the text MariaDB sends; no row fails a judgement; NULL is None', async () => {
    expect((await runCheck('mysql', { ...base, query: 'select 1.50', expect: '1.50' })).fail).toBe(false);
    const none = await runCheck('mysql', { ...base, query: 'select id from jobs where id = 99', expect: '1' });
    expect(none.log.slice(1)).toEqual(['query: 0 rows', '127.0.0.1 UnexpectedValue: no value to compare (nothing was returned)']);
    const nul = await runCheck('mysql', { ...base, query: 'select null', expect: '1' });
    expect(nul.log.slice(1)).toEqual(['query: 1 row, first value None', "127.0.0.1 UnexpectedValue: None is not the expected '1'"]);
  });

  it('the session is read-only: a query that writes fails although the user may insert', async () => {
    const o = await runCheck('mysql', { ...base, query: "insert into jobs values (9, 'x')" });
    expect(o.fail).toBe(true);
    expect(o.log.at(-1)).toBe('127.0.0.1 MysqlError: Cannot execute statement in a READ ONLY transaction (ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION 1792)');
  });

  it('one statement per query: a second statement is a syntax error, not run', async () => {
    const o = await runCheck('mysql', { ...base, query: 'select 1; select 2' });
    expect(o.fail).toBe(true);
    expect(o.log.at(-1)).toMatch(/^127\.0\.0\.1 MysqlError: You have an error in your SQL syntax.* \(ER_PARSE_ERROR 1064\)$/);
  });

  it('the client never offers LOCAL INFILE: the server cannot ask for a local file', async () => {
    const o = await runCheck('mysql', { ...base, query: "LOAD DATA LOCAL INFILE '/etc/hostname' INTO TABLE jobs" });
    expect(o.fail).toBe(true);
    // offered, the server would ask for the file and mysql2 would refuse it with another message
    expect(o.log.at(-1)).toBe(
      '127.0.0.1 MysqlError: The used command is not allowed because the MariaDB server or client has disabled the local infile capability (4166)',
    );
  });

  it("a wrong password fails with the server's words and never shows the password", async () => {
    const secret = 'not-the-password-8812';
    const o = await runCheck('mysql', { ...base, password: secret });
    expect(o.fail).toBe(true);
    expect(o.log).toEqual(["127.0.0.1 MysqlError: Access denied for user 'probe'@'127.0.0.1' (using password: YES) (ER_ACCESS_DENIED_ERROR 1045)"]);
    expect(JSON.stringify(o)).not.toContain(secret);
  });

  it("a database the user may not use fails with the server's error", async () => {
    const o = await runCheck('mysql', { ...base, database: 'mysql' });
    expect(o.log).toEqual(["127.0.0.1 MysqlError: Access denied for user 'probe'@'%' to database 'mysql' (ER_DBACCESS_DENIED_ERROR 1044)"]);
  });

  it('the password can come from an environment variable', async () => {
    process.env.SW_TEST_MYSQL_PASSWORD = probe.password;
    try {
      const o = await runCheck('mysql', { ...base, password: { env: 'SW_TEST_MYSQL_PASSWORD' } });
      expect(o.fail, o.log.join('\n')).toBe(false);
    } finally {
      delete process.env.SW_TEST_MYSQL_PASSWORD;
    }
  });

  it('TLS: a verified handshake, days left as level and metric; with a query the value is the level', async () => {
    const o = await runCheck('mysql', { ...base, hostname: 'localhost', tls: true, ca: net.ca.caFile });
    expect(o.fail, o.log.join('\n')).toBe(false);
    expect(o.level).toBe('90 days');
    expect(metric(o, 'cert_days_left')).toBe(90);
    const q = await runCheck('mysql', { ...base, tls: true, ca: net.ca.caFile, query: 'select 7' });
    expect(q.fail, q.log.join('\n')).toBe(false);
    expect(q.level).toBe('7');
    expect(metric(q, 'cert_days_left')).toBe(90);
  });

  it('TLS: an untrusted certificate fails (soft-fail certificate) before the login', async () => {
    const denied = (): number => db.log().split('Access denied').length;
    const before = denied();
    const o = await runCheck('mysql', { ...base, tls: true, password: 'wrong-never-sent' });
    expect(o.fail).toBe(true);
    expect(o.softFail, o.log.join('\n')).toBe('certificate');
    expect(o.log).toEqual(['127.0.0.1 SSLCertVerificationError: certificate verify failed: unable to verify the first certificate']);
    expect(denied()).toBe(before);
  });

  it('TLS: selfsigned accepts any certificate but keeps the expiry window', async () => {
    const o = await runCheck('mysql', { ...base, tls: true, selfsigned: true, expiryDays: 100 });
    expect(o.softFail, o.log.join('\n')).toBe('certificate');
    expect(o.log).toEqual(['127.0.0.1 SSLCertVerificationError: Certificate expires in 90 days']);
    expect(o.level).toBe('90 days');
    expect((await runCheck('mysql', { ...base, tls: true, selfsigned: true })).fail).toBe(false);
  });

  it('TLS: a trusted certificate for another name fails, for a host name and for an IP address', async () => {
    db.useCertificate(net.ca.wrongHost);
    try {
      const byName = await runCheck('mysql', { ...base, hostname: 'localhost', tls: true, ca: net.ca.caFile });
      expect(byName.softFail, byName.log.join('\n')).toBe('certificate');
      expect(byName.log).toEqual([
        "localhost SSLCertVerificationError: certificate verify failed: Hostname/IP does not match certificate's altnames: Host: localhost. is not in the cert's altnames: DNS:other.example",
      ]);
      const byIp = await runCheck('mysql', { ...base, tls: true, ca: net.ca.caFile });
      expect(byIp.softFail).toBe('certificate');
      expect(byIp.log).toEqual([
        "127.0.0.1 SSLCertVerificationError: certificate verify failed: IP address mismatch, certificate is not valid for '127.0.0.1'.",
      ]);
      expect(byIp.level).toBe('90 days');
    } finally {
      db.useCertificate(net.ca.valid);
    }
    expect((await runCheck('mysql', { ...base, tls: true, ca: net.ca.caFile })).fail).toBe(false);
  });

  it('every run above ended its session politely (no aborted connection in the server log)', () => {
    expect(db.log()).toContain('Access denied');
    expect(db.log()).not.toMatch(/Aborted connection \d+ to db: 'app'/);
  });
});

describe('mysql without a server', () => {
  it('a closed port fails with ConnectionRefusedError', async () => {
    const port = await freePort();
    const o = await runCheck('mysql', { hostname: HOST, port, username: 'u' });
    expect(o.log).toEqual([`127.0.0.1 ConnectionRefusedError: connect ECONNREFUSED 127.0.0.1:${port}`]);
  });

  it('a server that speaks another protocol fails without hanging', async () => {
    const server: Server = createServer((s) => s.end('SSH-2.0-OpenSSH_9.6\r\n'));
    server.listen(0, HOST);
    await once(server, 'listening');
    try {
      const o = await runCheck('mysql', { hostname: HOST, port: (server.address() as AddressInfo).port, username: 'u', timeout: 3 });
      expect(o.fail).toBe(true);
      expect(o.elapsedMs).toBeLessThan(2500);
      expect(o.log).toHaveLength(1);
      expect(o.log[0]).toMatch(/^127\.0\.0\.1 \w+: /);
    } finally {
      server.close();
    }
  });
});

describe('mysql options', () => {
  it('username is required; expect needs a query', () => {
    const t = checkType('mysql')!;
    const env = { base: '/', pluginDirs: [], sysRoot: '/sys', procRoot: '/proc' };
    expect(t.options.safeParse({ hostname: 'db' }).success).toBe(false);
    expect(t.validate!(parseOptions('mysql', { hostname: 'db', username: 'u', maxValue: 1 }), env)).toEqual([
      { path: ['maxValue'], message: 'maxValue needs query' },
    ]);
  });
});
