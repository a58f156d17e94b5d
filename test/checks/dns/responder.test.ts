/**
 * The dns check against a programmable dns-packet server for what a real
 * resolver will not do on demand (spec §4.7): truncation and the retry over
 * TCP, empty answers, replies with a wrong id or question, silence, server
 * failures — and the system resolver read from a resolv.conf fixture.
 */
import { describe, it, expect, afterEach, afterAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOST, tempDir } from '../../servers/common.ts';
import { reply, startResponder, type Handler, type Packet, type Responder } from '../../servers/dns-responder.ts';
import { createDnsCheck, dns } from '../../../src/checks/dns/index.ts';
import { resolveOnce } from '../../../src/checks/dns/resolve.ts';
import { runDirect as runCheck } from '../../helpers/run-type.ts';

const A = (q: Packet, ...addrs: string[]): { answers: { type: 'A'; name: string; ttl: number; data: string }[] } => ({
  answers: addrs.map((data) => ({ type: 'A' as const, name: q.questions![0].name, ttl: 60, data })),
});

let responder: Responder | null = null;
afterEach(() => {
  responder?.close();
  responder = null;
});
async function serve(handler: Handler): Promise<Responder> {
  responder = await startResponder(handler);
  return responder;
}
const ask = (port: number, extra: Record<string, unknown> = {}): Promise<{ outcome: { fail: unknown; log: string[] }; elapsed: number }> =>
  runCheck(dns, { hostname: HOST, port, reqName: 'svc.test', reqType: 'A', timeout: 2, ...extra });

describe('dns check: truncation and TCP', () => {
  it('retries over TCP when the UDP answer is truncated (TC) and passes with the full answer', async () => {
    const many = Array.from({ length: 40 }, (_, i) => `10.0.0.${i + 1}`);
    const r = await serve((q, proto) => [proto === 'udp' ? reply(q, { tc: true }) : reply(q, A(q, ...many))]);
    const { outcome } = await ask(r.port);
    expect(outcome.fail).toBe(false);
    expect(outcome.log).toEqual([`('svc.test.', 'A', '${many.join(' ')}')`]);
    expect(r.queries.map((x) => x.proto)).toEqual(['udp', 'tcp']);
  });

  it('asks over TCP only when reqTcp is set', async () => {
    const r = await serve((q) => [reply(q, A(q, '10.1.1.1'))]);
    const { outcome } = await ask(r.port, { reqTcp: true });
    expect(outcome.fail).toBe(false);
    expect(r.queries.map((x) => x.proto)).toEqual(['tcp']);
  });

  it('fails when even the TCP answer is truncated', async () => {
    const r = await serve((q) => [reply(q, { tc: true })]);
    const { outcome } = await ask(r.port, { reqTcp: true });
    expect(outcome.log).toEqual([
      `${HOST} NoNameservers: All nameservers failed to answer the query svc.test. IN A: Server Do53:${HOST}@${r.port} answered The truncated flag is set.`,
    ]);
  });
});

describe('dns check: answers that do not count', () => {
  it('fails on an empty NOERROR answer (NoAnswer)', async () => {
    const r = await serve((q) => [reply(q)]);
    const { outcome } = await ask(r.port);
    expect(outcome.log).toEqual([`${HOST} NoAnswer: The DNS response does not contain an answer to the question: svc.test. IN A`]);
  });

  it('fails when the answer holds only records of another name or type (NoAnswer)', async () => {
    const r = await serve((q) => [reply(q, { answers: [{ type: 'A', name: 'other.test', ttl: 1, data: '10.9.9.9' }] })]);
    const { outcome } = await ask(r.port);
    expect(outcome.fail).toBe(true);
    expect(outcome.log[0]).toContain('NoAnswer');
  });

  it('ignores a UDP reply with a wrong id and takes the right one', async () => {
    const r = await serve((q) => [reply({ ...q, id: (q.id! + 1) % 65536 }, A(q, '10.6.6.6')), reply(q, A(q, '10.2.2.2'))]);
    const { outcome } = await ask(r.port);
    expect(outcome.log).toEqual(["('svc.test.', 'A', '10.2.2.2')"]);
  });

  it('ignores a UDP reply to another question and takes the right one', async () => {
    const r = await serve((q) => {
      const other = { ...q, questions: [{ type: 'A' as const, name: 'evil.test', class: 'IN' as const }] };
      return [reply(other, A(other, '10.6.6.6')), reply(q, A(q, '10.3.3.3'))];
    });
    const { outcome } = await ask(r.port);
    expect(outcome.log).toEqual(["('svc.test.', 'A', '10.3.3.3')"]);
  });

  it('times out when every reply has a wrong id', async () => {
    const r = await serve((q) => [reply({ ...q, id: (q.id! + 1) % 65536 }, A(q, '10.6.6.6'))]);
    const { outcome, elapsed } = await ask(r.port, { timeout: 1 });
    expect(outcome.log[0]).toMatch(
      new RegExp(
        `^${HOST} LifetimeTimeout: The resolution lifetime expired after \\d\\.\\d{3} seconds: Server Do53:${HOST}@${r.port} answered The DNS operation timed out\\.$`,
      ),
    );
    expect(elapsed).toBeLessThan(2000);
  });

  it('rejects a TCP reply with a wrong id', async () => {
    const r = await serve((q) => [reply({ ...q, id: (q.id! + 1) % 65536 }, A(q, '10.6.6.6'))]);
    const { outcome } = await ask(r.port, { reqTcp: true });
    expect(outcome.log).toEqual([
      `${HOST} NoNameservers: All nameservers failed to answer the query svc.test. IN A: Server Do53:${HOST}@${r.port} answered A DNS query response does not respond to the question asked.`,
    ]);
  });

  it('fails on SERVFAIL without waiting for the timeout', async () => {
    const r = await serve((q) => [reply(q, { rcode: 2 })]);
    const { outcome, elapsed } = await ask(r.port, { timeout: 5 });
    expect(outcome.log).toEqual([
      `${HOST} NoNameservers: All nameservers failed to answer the query svc.test. IN A: Server Do53:${HOST}@${r.port} answered SERVFAIL`,
    ]);
    expect(elapsed).toBeLessThan(5000);
  });

  it('says the server answered with an undecodable reply, not that it timed out (issue 16)', async () => {
    const short = await serve(() => [Buffer.from([0x12, 0x34, 0x81, 0x80])]);
    const a = await ask(short.port, { timeout: 1 });
    expect(a.outcome.fail).toBe(true);
    expect(a.outcome.log[0]).toMatch(
      new RegExp(
        `^${HOST} FormError: Server Do53:${HOST}@${short.port} answered with an undecodable reply \\(4 bytes, shorter than a DNS header\\), and no usable answer came within \\d\\.\\d{3} seconds$`,
      ),
    );
    // a full header whose counts promise records that are not there
    const cut = await serve((q) => [reply(q, A(q, '10.1.1.1')).subarray(0, 20)]);
    const b = await ask(cut.port, { timeout: 1 });
    expect(b.outcome.log[0]).toMatch(
      new RegExp(`^${HOST} FormError: Server Do53:${HOST}@${cut.port} answered with an undecodable reply \\(20 bytes: .+\\), and no usable answer`),
    );
    expect(b.outcome.log[0]).not.toMatch(/timed out/);
  });

  it('fails by its timeout against a silent server', async () => {
    const r = await serve(() => []);
    const { outcome, elapsed } = await ask(r.port, { timeout: 1 });
    expect(outcome.fail).toBe(true);
    expect(outcome.log[0]).toMatch(
      /^127\.0\.0\.1 LifetimeTimeout: The resolution lifetime expired after \d\.\d{3} seconds: Server .* answered The DNS operation timed out\.$/,
    );
    expect(elapsed).toBeLessThan(2000);
  });
});

describe('dns check: queries', () => {
  it('uses a random id for each query', async () => {
    const r = await serve((q) => [reply(q, A(q, '10.4.4.4'))]);
    for (let i = 0; i < 8; i++) await ask(r.port);
    const ids = r.queries.map((x) => x.packet.id);
    expect(ids).toHaveLength(8);
    expect(new Set(ids).size).toBeGreaterThan(1);
  });

  it('asks with recursion desired and class IN', async () => {
    const r = await serve((q) => [reply(q, A(q, '10.4.4.4'))]);
    await ask(r.port);
    const q = r.queries[0].packet;
    expect(q.flags! & 0x0100).toBe(0x0100);
    expect(q.questions).toEqual([{ name: 'svc.test', type: 'A', class: 'IN' }]);
  });

  it('retries a try that timed out and passes on the answer to the next one', async () => {
    let seen = 0;
    const r = await serve((q) => (++seen === 1 ? [] : [reply(q, A(q, '10.5.5.5'))]));
    const ac = new AbortController();
    const res = await resolveOnce({ address: HOST, port: r.port }, { name: 'svc.test', type: 1, tcp: false, signal: ac.signal, tryTimeoutMs: 200 });
    expect(res.records.map((x) => x.data)).toEqual(['10.5.5.5']);
    expect(r.queries).toHaveLength(2);
    expect(r.queries[0].packet.id).not.toBe(r.queries[1].packet.id);
  });

  it('asks for a type dns-packet has no name for (HTTPS = TYPE65) and prints it generically', async () => {
    const r = await serve((q) => [
      reply(q, { answers: [{ type: 'UNKNOWN_65' as 'A', name: 'svc.test', ttl: 1, data: Buffer.from([0, 1, 0, 0]) as unknown as string }] }),
    ]);
    const { outcome } = await ask(r.port, { reqType: 'https' });
    expect(r.queries[0].packet.questions![0].type).toBe('UNKNOWN_65');
    // the rdata text is \# 4 00010000; Python's repr doubles the backslash
    expect(outcome.log).toEqual(["('svc.test.', 'HTTPS', '\\\\# 4 00010000')"]);
  });

  it('sends an internationalised name in its ASCII (IDNA) form', async () => {
    const r = await serve((q) => [reply(q, A(q, '10.7.7.7'))]);
    const { outcome } = await ask(r.port, { reqName: 'bücher.test' });
    expect(r.queries[0].packet.questions![0].name).toBe('xn--bcher-kva.test');
    expect(outcome.log).toEqual(["('xn--bcher-kva.test.', 'A', '10.7.7.7')"]);
  });

  it('refuses a name with a label over 63 octets before sending anything', async () => {
    const r = await serve((q) => [reply(q, A(q, '10.7.7.7'))]);
    const { outcome } = await ask(r.port, { reqName: `${'a'.repeat(64)}.test` });
    expect(outcome.log).toEqual([`${HOST} LabelTooLong: A DNS label is > 63 octets long.`]);
    expect(r.queries).toHaveLength(0);
  });

  it('fails, not crashes, when the kernel refuses the UDP connect (broadcast address)', async () => {
    const { outcome } = await runCheck(dns, { hostname: '255.255.255.255', reqName: 'svc.test', reqType: 'A', timeout: 2 });
    expect(outcome.log).toEqual([
      '255.255.255.255 NoNameservers: All nameservers failed to answer the query svc.test. IN A: Server Do53:255.255.255.255@53 answered [Errno 13] Permission denied',
    ]);
  });

  it('refuses metaqueries such as ANY', async () => {
    const { outcome } = await ask(1, { reqType: 'any' });
    expect(outcome.log).toEqual([`${HOST} NoMetaqueries: DNS metaqueries are not allowed.`]);
  });
});

describe('dns check: the system resolver', () => {
  const { dir, cleanup } = tempDir('sw-resolv-');
  afterAll(cleanup);
  const conf = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('asks the first nameserver of resolv.conf and passes', async () => {
    const r = await serve((q) => [reply(q, A(q, '10.8.8.8'))]);
    const path = conf('two', '# generated\nsearch example.test\nnameserver 127.0.0.1 # first\nnameserver 192.0.2.1\n');
    const check = createDnsCheck({ resolvConf: path, systemPort: r.port });
    const { outcome } = await runCheck(check, { reqName: 'svc.test', reqType: 'A', timeout: 2 });
    expect(outcome.log).toEqual(["('svc.test.', 'A', '10.8.8.8')"]);
    expect(r.queries).toHaveLength(1);
  });

  it('names the system resolver and its address in a failure line (fletchck prints None)', async () => {
    const r = await serve((q) => [reply(q, { rcode: 3 })]);
    const check = createDnsCheck({ resolvConf: conf('one', 'nameserver 127.0.0.1\n'), systemPort: r.port });
    const { outcome } = await runCheck(check, { reqName: 'nx.test', reqType: 'A', hostname: '' });
    expect(outcome.log).toEqual(['127.0.0.1 (system resolver) NXDOMAIN: The DNS query name does not exist: nx.test.']);
  });

  it('fails clearly without a usable resolv.conf', async () => {
    const missing = join(dir, 'missing');
    const none = conf('none', 'search example.test\noptions ndots:2\n');
    expect((await runCheck(createDnsCheck({ resolvConf: missing }), {})).outcome.log).toEqual([
      `system resolver NoResolverConfiguration: cannot open ${missing}`,
    ]);
    expect((await runCheck(createDnsCheck({ resolvConf: none }), {})).outcome.log).toEqual(['system resolver NoResolverConfiguration: no nameservers']);
  });
});
