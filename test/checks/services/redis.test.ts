/**
 * redis against Debian's redis-server: `requirepass`, an ACL user, a TLS
 * port with the file's test CA, keys set with redis-cli.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { describeDaemon, freePort, HOST } from '../../servers/common.ts';
import { startRedis, REDIS_PROGRAMS, type Redis } from '../../servers/redis.ts';
import { netFixture } from '../net/fixture.ts';
import { metric, parseOptions, runCheck } from '../net/harness.ts';
import { checkType } from '../../../src/checks/registry.ts';

const net = netFixture('sw-rdt-');

describeDaemon('redis against redis-server', REDIS_PROGRAMS, () => {
  let r: Redis;
  let base: Record<string, unknown>;
  beforeAll(async () => {
    r = await startRedis(net.ca.valid);
    r.cli('SET', 'queue:depth', '3');
    r.cli('SET', 'status', 'ok');
    r.cli('RPUSH', 'a:list', 'x');
    r.cli('SETRANGE', 'big', '600000', 'x');
    base = { hostname: HOST, port: r.port, password: r.password };
  }, 60_000);
  afterAll(async () => r?.stop());

  it('AUTH, then PING answered PONG; response time as a metric', async () => {
    const o = await runCheck('redis', base);
    expect(o.fail, o.log.join('\n')).toBe(false);
    expect(o.log).toEqual(['PING: PONG']);
    expect(o.level).toBeNull();
    expect(metric(o, 'response_time')).toBeGreaterThan(0);
  });

  it('without the password the server refuses PING', async () => {
    const o = await runCheck('redis', { hostname: HOST, port: r.port });
    expect(o.fail).toBe(true);
    expect(o.log).toEqual(['127.0.0.1 RedisError: NOAUTH Authentication required.']);
  });

  it("a wrong password fails with the server's words and never shows the password", async () => {
    const secret = 'wrong-redis-pass-3391';
    const o = await runCheck('redis', { ...base, password: secret });
    expect(o.log).toEqual(['127.0.0.1 RedisError: WRONGPASS invalid username-password pair or user is disabled.']);
    expect(JSON.stringify(o)).not.toContain(secret);
  });

  it('an ACL user logs in with its own password', async () => {
    const o = await runCheck('redis', { hostname: HOST, port: r.port, ...r.user, key: 'status', expect: 'ok' });
    expect(o.fail, o.log.join('\n')).toBe(false);
    expect(o.log).toEqual(['PING: PONG', "GET 'status': 'ok'"]);
    const wrong = await runCheck('redis', { hostname: HOST, port: r.port, username: r.user.username, password: r.password });
    expect(wrong.log).toEqual(['127.0.0.1 RedisError: WRONGPASS invalid username-password pair or user is disabled.']);
  });

  it("a key's value is logged and judged; a number becomes level and metric", async () => {
    const o = await runCheck('redis', { ...base, key: 'queue:depth', maxValue: 10 });
    expect(o.fail, o.log.join('\n')).toBe(false);
    expect(o.log).toEqual(['PING: PONG', "GET 'queue:depth': '3'"]);
    expect(o.level).toBe('3');
    expect(metric(o, 'value')).toBe(3);
    const high = await runCheck('redis', { ...base, key: 'queue:depth', maxValue: 2 });
    expect(high.fail).toBe(true);
    expect(high.log.at(-1)).toBe("127.0.0.1 UnexpectedValue: '3' is above the maximum 2");
    expect(high.level).toBe('3');
    const other = await runCheck('redis', { ...base, key: 'status', expect: 'degraded' });
    expect(other.log.at(-1)).toBe("127.0.0.1 UnexpectedValue: 'ok' is not the expected 'degraded'");
  });

  it('a missing key is None: it passes without a judgement and fails with one', async () => {
    const plain = await runCheck('redis', { ...base, key: 'nosuch' });
    expect(plain.fail).toBe(false);
    expect(plain.log).toEqual(['PING: PONG', "GET 'nosuch': None"]);
    const judged = await runCheck('redis', { ...base, key: 'nosuch', expect: 'ok' });
    expect(judged.log.at(-1)).toBe('127.0.0.1 UnexpectedValue: no value to compare (nothing was returned)');
  });

  it("a key of another type fails with the server's WRONGTYPE error", async () => {
    const o = await runCheck('redis', { ...base, key: 'a:list' });
    expect(o.log.at(-1)).toBe('127.0.0.1 RedisError: WRONGTYPE Operation against a key holding the wrong kind of value');
  });

  it('a value larger than the check reads fails instead of being buffered', async () => {
    const o = await runCheck('redis', { ...base, key: 'big' });
    expect(o.fail).toBe(true);
    expect(o.log.at(-1)).toBe('127.0.0.1 ReplyTooLarge: a value of 600001 bytes (at most 524288 are read)');
  });

  it('the password can come from an environment variable', async () => {
    process.env.SW_TEST_REDIS_PASSWORD = r.password;
    try {
      expect((await runCheck('redis', { ...base, password: { env: 'SW_TEST_REDIS_PASSWORD' } })).fail).toBe(false);
    } finally {
      delete process.env.SW_TEST_REDIS_PASSWORD;
    }
  });

  it('TLS: a verified handshake, days left as level and metric; with a key the value is the level', async () => {
    const o = await runCheck('redis', { ...base, hostname: 'localhost', port: r.tlsPort, tls: true, ca: net.ca.caFile });
    expect(o.fail, o.log.join('\n')).toBe(false);
    expect(o.level).toBe('90 days');
    expect(metric(o, 'cert_days_left')).toBe(90);
    const k = await runCheck('redis', { ...base, port: r.tlsPort, tls: true, ca: net.ca.caFile, key: 'queue:depth' });
    expect(k.level).toBe('3');
    expect(metric(k, 'cert_days_left')).toBe(90);
  });

  it('TLS: an untrusted certificate fails (soft-fail certificate); the plain port never answers a handshake', async () => {
    const o = await runCheck('redis', { ...base, port: r.tlsPort, tls: true });
    expect(o.softFail).toBe('certificate');
    expect(o.log).toEqual(['127.0.0.1 SSLCertVerificationError: certificate verify failed: unable to verify the first certificate']);
    // Redis reads the ClientHello as an inline command that never ends with a line break
    const plain = await runCheck('redis', { ...base, tls: true, ca: net.ca.caFile, timeout: 1 });
    expect(plain.fail).toBe(true);
    expect(plain.log).toEqual(['127.0.0.1 TimeoutError: no result within 1 s']);
  });
});

describe('redis without a server', () => {
  it('a closed port fails with ConnectionRefusedError', async () => {
    const port = await freePort();
    const o = await runCheck('redis', { hostname: HOST, port });
    expect(o.log).toEqual([`127.0.0.1 ConnectionRefusedError: connect ECONNREFUSED 127.0.0.1:${port}`]);
  });
});

describe('redis options', () => {
  it('a username needs a password; a judgement needs a key', () => {
    const t = checkType('redis')!;
    const env = { base: '/', pluginDirs: [], sysRoot: '/sys', procRoot: '/proc' };
    expect(t.validate!(parseOptions('redis', { hostname: 'r', username: 'u' }), env)).toEqual([
      { path: ['password'], message: 'a password is needed with username' },
    ]);
    expect(t.validate!(parseOptions('redis', { hostname: 'r', expect: 'x' }), env)).toEqual([{ path: ['expect'], message: 'expect needs key' }]);
  });
});
