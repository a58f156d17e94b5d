/**
 * The `snmp` check against Debian's snmpd on the loopback
 * (test/servers/snmpd.ts): v2c and v3 (SHA + AES) GETs with value tests, a
 * walk of a table column testing every row, the level and metrics, and the
 * failures: a wrong community (no answer: timeout), a wrong v3 passphrase,
 * an OID the agent does not have, a name that does not resolve.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { snmp, SnmpOptions } from '../../../src/checks/snmp/index.ts';
import { runDirect } from '../../helpers/run-type.ts';
import { fieldsOf } from '../../../src/web/fields.ts';
import { describeDaemon } from '../../servers/common.ts';
import { COMMUNITY, OID, SNMPD, SYS, V3, startSnmpd, type Snmpd } from '../../servers/snmpd.ts';

const hasV6 = ((): boolean => {
  try {
    return readFileSync('/proc/net/if_inet6', 'utf8')
      .split('\n')
      .some((l) => /^0{31}1 .* lo$/.test(l.trim()));
  } catch {
    return false;
  }
})();

const env = { base: '/tmp' };

describeDaemon('snmp check against snmpd', [SNMPD], () => {
  let agent: Snmpd;
  beforeAll(async () => {
    agent = await startSnmpd({ ipv6: hasV6 });
  });
  afterAll(async () => {
    await agent?.stop();
  });

  const v2 = (oids: unknown[], o: Record<string, unknown> = {}) =>
    runDirect(snmp, { hostname: '127.0.0.1', port: agent.port, community: COMMUNITY, oids, ...o }, { env });
  const v3 = (oids: unknown[], o: Record<string, unknown> = {}) =>
    runDirect(
      snmp,
      {
        hostname: '127.0.0.1',
        port: agent.port,
        version: '3',
        username: V3.user,
        authProtocol: 'sha',
        password: V3.auth,
        privProtocol: 'aes',
        privPassword: V3.priv,
        oids,
        ...o,
      },
      { env },
    );

  it('v2c GET: values logged, the first number is the level and a metric, response time measured', async () => {
    const { outcome } = await v2([
      { oid: OID.sysServices, label: 'services', min: 1 },
      { oid: OID.sysName, equals: SYS.name },
      { oid: OID.sysUpTime, label: 'uptime', unit: 'ticks' },
    ]);
    expect(outcome.fail, outcome.log.join('\n')).toBe(false);
    expect(outcome.log.slice(0, 2)).toEqual([`services = ${SYS.services}`, `${OID.sysName} = "${SYS.name}"`]);
    expect(outcome.log[2]).toMatch(/^uptime = \d+ ticks$/);
    expect(outcome.level).toBe(String(SYS.services));
    expect(outcome.metrics?.find((m) => m.name === 'services')).toEqual({ name: 'services', value: SYS.services, critLow: 1 });
    expect(outcome.metrics?.find((m) => m.name === 'response_time')?.unit).toBe('s');
  });

  it('a value outside its test fails with a detail line naming it (and still reports it)', async () => {
    const { outcome } = await v2([
      { oid: OID.sysServices, label: 'services', unit: '', max: 50 },
      { oid: OID.sysLocation, matches: '^rack' },
    ]);
    expect(outcome.fail).toBe(true);
    expect(outcome.log.at(-1)).toBe(
      `127.0.0.1 ValueError: services is ${SYS.services}, expected at most 50; ${OID.sysLocation} is "${SYS.location}", expected matching /^rack/`,
    );
    expect(outcome.level).toBe(String(SYS.services));
  });

  it('v3 authPriv (SHA, AES) GET passes', async () => {
    const { outcome } = await v3([{ oid: OID.sysName, equals: SYS.name }]);
    expect(outcome.fail, outcome.log.join('\n')).toBe(false);
    expect(outcome.log).toEqual([`${OID.sysName} = "${SYS.name}"`]);
  });

  it('v3 with a wrong authentication passphrase fails (the agent refuses the digest)', async () => {
    const { outcome } = await v3([{ oid: OID.sysName }], { password: 'not-the-passphrase' });
    expect(outcome.fail).toBe(true);
    expect(outcome.log).toEqual(['127.0.0.1 ResponseInvalidError: Wrong Digest (incorrect password, community or key)']);
  });

  it('v3 with an unknown user fails naming the reason', async () => {
    const { outcome } = await v3([{ oid: OID.sysName }], { username: 'nobody' });
    expect(outcome.log).toEqual(['127.0.0.1 ResponseInvalidError: Unknown User Name']);
  });

  it('secrets may come from the environment', async () => {
    process.env.SW_TEST_SNMP_COMMUNITY = COMMUNITY;
    try {
      const { outcome } = await v2([{ oid: OID.sysName }], { community: { env: 'SW_TEST_SNMP_COMMUNITY' } });
      expect(outcome.fail, outcome.log.join('\n')).toBe(false);
    } finally {
      delete process.env.SW_TEST_SNMP_COMMUNITY;
    }
  });

  it('walk: every row of a table column is tested and named by its index', async () => {
    const ok = await v2([{ oid: OID.nsExtendResult, label: 'extend', walk: true, max: 1 }]);
    expect(ok.outcome.fail, ok.outcome.log.join('\n')).toBe(false);
    // rows are indexed by the extend's name (length, then the characters): "okjob" and "badjob"
    expect(ok.outcome.log).toEqual(['extend.5.111.107.106.111.98 = 0', 'extend.6.98.97.100.106.111.98 = 1']);
    const bad = await v2([{ oid: OID.nsExtendResult, label: 'extend', walk: true, equals: 0 }]);
    expect(bad.outcome.fail).toBe(true);
    expect(bad.outcome.log.at(-1)).toBe('127.0.0.1 ValueError: extend.6.98.97.100.106.111.98 is 1, expected 0');
  });

  it('walk with v1 (GETNEXT) works too', async () => {
    const { outcome } = await v2([{ oid: OID.nsExtendResult, walk: true, min: 0 }], { version: '1' });
    expect(outcome.fail, outcome.log.join('\n')).toBe(false);
    expect(outcome.log).toHaveLength(2);
  });

  it('an OID the agent does not have fails naming it', async () => {
    const { outcome } = await v2([{ oid: '1.3.6.1.2.1.1.99.0', label: 'nothing' }]);
    expect(outcome.fail).toBe(true);
    expect(outcome.log.at(-1)).toBe('127.0.0.1 ValueError: nothing no such object');
    const walk = await v2([{ oid: '1.3.6.1.4.1.99999', walk: true }]);
    expect(walk.outcome.log.at(-1)).toBe('127.0.0.1 ValueError: 1.3.6.1.4.1.99999 no rows below 1.3.6.1.4.1.99999');
  });

  it('a wrong community gets no answer: the run fails by its timeout', async () => {
    const { outcome, elapsed } = await v2([{ oid: OID.sysName }], { community: 'wrong', timeout: 1 });
    expect(outcome.fail).toBe(true);
    expect(outcome.log).toEqual(['127.0.0.1 TimeoutError: no result within 1 s']);
    expect(elapsed).toBeLessThan(2500);
  });

  it.skipIf(!hasV6)('IPv6: the agent on ::1', async () => {
    const { outcome } = await runDirect(
      snmp,
      { hostname: '::1', port: agent.port, community: COMMUNITY, oids: [{ oid: OID.sysName, equals: SYS.name }] },
      { env },
    );
    expect(outcome.fail, outcome.log.join('\n')).toBe(false);
  });

  it('a name that does not resolve fails with gaierror', async () => {
    const { outcome } = await runDirect(snmp, { hostname: 'nosuch.invalid', oids: [{ oid: OID.sysName }] }, { env });
    expect(outcome.fail).toBe(true);
    expect(outcome.log).toEqual(['nosuch.invalid gaierror: getaddrinfo ENOTFOUND nosuch.invalid']);
  });
});

describe('snmp options', () => {
  const issues = (raw: Record<string, unknown>) => SnmpOptions.safeParse({ hostname: 'h', ...raw }).error?.issues.map((i) => [i.path, i.message]) ?? [];
  const validate = (raw: Record<string, unknown>) =>
    snmp.validate!(SnmpOptions.parse({ hostname: 'h', ...raw }), { base: '/', pluginDirs: [], sysRoot: '/sys', procRoot: '/proc' });

  it('OIDs are numeric; MIB names are refused with a clear message', () => {
    expect(issues({ oids: [{ oid: 'sysName.0' }] })).toEqual([[['oids', 0, 'oid'], 'a numeric OID such as 1.3.6.1.2.1.1.3.0 (MIB names are not read)']]);
  });

  it('versions and protocols are closed sets; an unknown item key is refused', () => {
    expect(issues({ oids: [{ oid: '1.3.6' }], version: '2' })[0][0]).toEqual(['version']);
    expect(issues({ oids: [{ oid: '1.3.6' }], privProtocol: 'rot13' })[0][0]).toEqual(['privProtocol']);
    expect(issues({ oids: [{ oid: '1.3.6', equal: 1 }] })[0][0]).toEqual(['oids', 0]);
  });

  it('v3 needs a username; privacy needs authentication', () => {
    expect(validate({ oids: [{ oid: '1.3.6' }], version: '3' })).toEqual([{ path: ['username'], message: 'SNMP v3 needs a username' }]);
    expect(validate({ oids: [{ oid: '1.3.6' }], version: '3', username: 'u', privPassword: 'p' })).toEqual([
      { path: ['privPassword'], message: 'v3 privacy needs authentication too: set password' },
    ]);
  });

  it('community and the v3 passphrases are marked secret in the schema (forms mask them)', async () => {
    const { z } = await import('zod');
    const js = z.toJSONSchema(SnmpOptions, { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, { secret?: boolean }> };
    for (const k of ['community', 'password', 'privPassword']) expect(js.properties[k].secret, k).toBe(true);
    const kinds = fieldsOf(SnmpOptions)
      .filter((f) => ['community', 'password', 'privPassword'].includes(f.key))
      .map((f) => f.kind);
    expect(kinds).toEqual(['secret', 'secret', 'secret']);
  });
});
