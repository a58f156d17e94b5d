/**
 * The dns check against dnsmasq (spec §4.7), over UDP and over TCP: record
 * types as dnspython prints them in fletchck's pass tuple, PTR from an IP,
 * and the failures NXDOMAIN, NoAnswer and REFUSED with dnspython's texts.
 */
import { it, expect, beforeAll, afterAll } from 'vitest';
import { lookup } from 'node:dns/promises';
import { describeDaemon, HOST, tempDir } from '../../servers/common.ts';
import { DNSMASQ, ZONE, startDnsmasq, type Dnsmasq } from '../../servers/dnsmasq.ts';
import { dns } from '../../../src/checks/dns/index.ts';
import { runDirect as runCheck } from '../../helpers/run-type.ts';

describeDaemon('dns check against dnsmasq', [DNSMASQ], () => {
  let server: Dnsmasq;
  let cleanup: () => void;

  beforeAll(async () => {
    const t = tempDir('sw-dnsmasq-');
    cleanup = t.cleanup;
    server = await startDnsmasq(t.dir);
  });

  afterAll(async () => {
    await server?.stop();
    cleanup?.();
  });

  const s = ZONE.soa;
  const passes: { reqName: string; reqType: string; log: string }[] = [
    { reqName: 'svc.test', reqType: 'A', log: `('svc.test.', 'A', '${ZONE.svc}')` },
    { reqName: 'mail.test', reqType: 'aaaa', log: `('mail.test.', 'AAAA', '${ZONE.mail6}')` },
    { reqName: 'test', reqType: 'mx', log: "('test.', 'MX', '10 mail.test.')" },
    { reqName: 'svc.test', reqType: 'TXT', log: `('svc.test.', 'TXT', '"${ZONE.txt}"')` },
    { reqName: 'test.', reqType: 'SOA', log: `('test.', 'SOA', 'ns.test. hostmaster.test. ${s.serial} ${s.refresh} ${s.retry} ${s.expire} ${s.ttl}')` },
    { reqName: 'test', reqType: 'NS', log: "('test.', 'NS', 'ns.test.')" },
    { reqName: ZONE.svc, reqType: 'PTR', log: "('42.0.0.127.in-addr.arpa.', 'PTR', 'svc.test.')" },
    { reqName: ZONE.mail6, reqType: 'ptr', log: "('3.4.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.', 'PTR', 'mail.test.')" },
    // the CNAME in the answer is followed; the tuple keeps the name asked for
    { reqName: 'www.test', reqType: 'A', log: `('www.test.', 'A', '${ZONE.svc}')` },
    { reqName: 'www.test', reqType: 'CNAME', log: "('www.test.', 'CNAME', 'svc.test.')" },
  ];
  const failures: { name: string; opts: Record<string, unknown>; log: (port: number) => string }[] = [
    { name: 'NXDOMAIN', opts: { reqName: 'nx.test', reqType: 'A' }, log: () => `${HOST} NXDOMAIN: The DNS query name does not exist: nx.test.` },
    {
      name: 'an empty answer (NoAnswer)',
      opts: { reqName: 'svc.test', reqType: 'AAAA' },
      log: () => `${HOST} NoAnswer: The DNS response does not contain an answer to the question: svc.test. IN AAAA`,
    },
    // fletchck's defaults (org, SOA): dnsmasq has no upstream and refuses
    {
      name: 'REFUSED (NoNameservers)',
      opts: {},
      log: (port) => `${HOST} NoNameservers: All nameservers failed to answer the query org. IN SOA: Server Do53:${HOST}@${port} answered REFUSED`,
    },
    // an unknown reqType never gets here: it is a configuration error at load (test/config/closed-sets.test.ts)
  ];

  for (const reqTcp of [false, true]) {
    const via = reqTcp ? 'TCP' : 'UDP';
    for (const c of passes) {
      it(`${via}: ${c.reqType} ${c.reqName} passes with ${c.log}`, async () => {
        const { outcome } = await runCheck(dns, { hostname: HOST, port: server.port, reqName: c.reqName, reqType: c.reqType, reqTcp });
        expect(outcome.log).toEqual([c.log]);
        expect(outcome.fail).toBe(false);
        expect(outcome.metrics?.map((m) => [m.name, m.unit])).toEqual([['response_time', 's']]);
      });
    }
    for (const c of failures) {
      it(`${via}: fails on ${c.name}`, async () => {
        const { outcome } = await runCheck(dns, { hostname: HOST, port: server.port, reqTcp, ...c.opts });
        expect(outcome.fail).toBe(true);
        expect(outcome.log).toEqual([c.log(server.port)]);
      });
    }
  }

  it('asks a server given by host name at its address', async (ctx) => {
    const a = await lookup('localhost');
    if (a.address !== HOST) ctx.skip(); // localhost must resolve to where dnsmasq listens
    const { outcome } = await runCheck(dns, { hostname: 'localhost', port: server.port, reqName: 'svc.test', reqType: 'A' });
    expect(outcome.log).toEqual([`('svc.test.', 'A', '${ZONE.svc}')`]);
  });
});
