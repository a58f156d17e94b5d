/**
 * ntp against Debian's chrony serving its own clock (`local stratum 8`) on
 * a loopback port; a run's clock shifted to stand for a host whose clock
 * is off; a scripted UDP responder for the replies chrony does not give
 * here (a kiss code, an unsynchronised server, a reply to someone else).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { once } from 'node:events';
import { describeDaemon, freePort, HOST } from '../../servers/common.ts';
import { startChrony, CHRONYD, type Chrony } from '../../servers/chrony.ts';
import { metric, runCheck } from '../net/harness.ts';
import { runDirect } from '../../helpers/run-type.ts';
import { checkType } from '../../../src/checks/registry.ts';
import { ntpToUnix, offsetAndDelay } from '../../../src/checks/ntp/packet.ts';
import { offsetLevel } from '../../../src/checks/ntp/index.ts';

const ntp = checkType('ntp')!;

describeDaemon('ntp against chrony', [CHRONYD], () => {
  let c: Chrony;
  beforeAll(async () => {
    c = await startChrony(8);
  }, 60_000);
  afterAll(async () => c?.stop());

  it('reads stratum and offset; the offset is the level and a metric with stratum and delay', async () => {
    const o = await runCheck('ntp', { hostname: HOST, port: c.port });
    expect(o.fail, o.log.join('\n')).toBe(false);
    expect(o.log).toHaveLength(1);
    expect(o.log[0]).toMatch(/^stratum 8, offset [+-]\d+\.\d{6} s, delay \d+\.\d{6} s, reference 127\.127\.1\.1$/);
    // chrony serves this host's own clock: the offset is tiny
    expect(Math.abs(metric(o, 'offset')!)).toBeLessThan(0.5);
    expect(o.level).toMatch(/^[+-]\d+\.\d ms$/);
    expect(metric(o, 'stratum')).toBe(8);
    expect(metric(o, 'delay')).toBeGreaterThanOrEqual(0);
    expect(metric(o, 'response_time')).toBeGreaterThan(0);
  });

  it('a host whose clock is 10 s slow fails above maxOffset, with the offset as level', async () => {
    const slow = (): number => Date.now() - 10_000;
    const { outcome: o } = await runDirect(ntp, { hostname: HOST, port: c.port, maxOffset: 2 }, { now: slow });
    expect(o.fail).toBe(true);
    expect(o.log.at(-1)).toMatch(/^127\.0\.0\.1 ClockOffset: offset \+(9\.9\d\d|10\.0\d\d) s is more than maxOffset 2 s$/);
    expect(o.level).toMatch(/^\+(9\.9|10\.0)\d\d s$/);
    const fast = await runDirect(ntp, { hostname: HOST, port: c.port, maxOffset: 30 }, { now: () => Date.now() + 20_000 });
    expect(fast.outcome.fail).toBe(false);
    expect(fast.outcome.level).toMatch(/^-(19\.9|20\.0)\d\d s$/);
  });

  it('maxStratum fails a server further from its reference clock', async () => {
    const o = await runCheck('ntp', { hostname: HOST, port: c.port, maxStratum: 3 });
    expect(o.fail).toBe(true);
    expect(o.log.at(-1)).toBe('127.0.0.1 NtpError: stratum 8 is above maxStratum 3');
    expect((await runCheck('ntp', { hostname: HOST, port: c.port, maxStratum: 8 })).fail).toBe(false);
  });
});

describe('ntp against scripted replies', () => {
  let server: UdpSocket;
  let answer: (req: Buffer) => Buffer[];
  beforeAll(async () => {
    server = createSocket('udp4');
    server.on('message', (req, from) => {
      for (const r of answer(req)) server.send(r, from.port, from.address);
    });
    server.bind(0, HOST);
    await once(server, 'listening');
  });
  afterAll(() => server.close());

  /** A server reply: LI, stratum, reference ID, and the request's transmit timestamp as origin. */
  const reply = (req: Buffer, o: { leap?: number; stratum: number; refId: string; origin?: Buffer }): Buffer => {
    const b = Buffer.alloc(48);
    b[0] = ((o.leap ?? 0) << 6) | (4 << 3) | 4;
    b[1] = o.stratum;
    b.write(o.refId.padEnd(4, '\0'), 12, 'latin1');
    (o.origin ?? req.subarray(40, 48)).copy(b, 24);
    const now = Date.now() / 1000 + 2_208_988_800;
    for (const at of [32, 40]) {
      b.writeUInt32BE(Math.floor(now), at);
      b.writeUInt32BE(Math.floor((now % 1) * 2 ** 32), at + 4);
    }
    return b;
  };
  const port = (): number => server.address().port;

  it("a kiss-o'-death fails naming its code", async () => {
    answer = (req) => [reply(req, { stratum: 0, refId: 'RATE' })];
    const o = await runCheck('ntp', { hostname: HOST, port: port() });
    expect(o.log).toEqual(['127.0.0.1 NtpError: the server sent the kiss code "RATE" instead of the time']);
  });

  it('an unsynchronised server (leap indicator 3) fails', async () => {
    answer = (req) => [reply(req, { leap: 3, stratum: 16, refId: 'INIT' })];
    const o = await runCheck('ntp', { hostname: HOST, port: port() });
    expect(o.log).toEqual(["127.0.0.1 NtpError: the server's clock is not synchronised (leap indicator 3, stratum 16)"]);
  });

  it('a reply that does not answer this request is ignored: the real one after it counts', async () => {
    answer = (req) => [reply(req, { stratum: 2, refId: 'XXXX', origin: Buffer.alloc(8, 7) }), Buffer.from('short'), reply(req, { stratum: 1, refId: 'GPS' })];
    const o = await runCheck('ntp', { hostname: HOST, port: port() });
    expect(o.fail, o.log.join('\n')).toBe(false);
    expect(o.log[0]).toMatch(/^stratum 1, offset .* reference GPS$/);
  });

  it('only replies to someone else: the run ends at its timeout', async () => {
    answer = (req) => [reply(req, { stratum: 2, refId: 'XXXX', origin: Buffer.alloc(8, 7) })];
    const o = await runCheck('ntp', { hostname: HOST, port: port(), timeout: 1 });
    expect(o.log).toEqual(['127.0.0.1 TimeoutError: no result within 1 s']);
    expect(o.elapsedMs).toBeLessThan(2000);
  });
});

describe('ntp without a server', () => {
  it('a closed UDP port fails with ConnectionRefusedError (ICMP port unreachable)', async () => {
    const o = await runCheck('ntp', { hostname: HOST, port: await freePort() });
    expect(o.fail).toBe(true);
    expect(o.log[0]).toMatch(/^127\.0\.0\.1 ConnectionRefusedError: /);
  });

  it('a name that does not resolve fails with gaierror', async () => {
    const o = await runCheck('ntp', { hostname: 'nosuch.invalid' });
    expect(o.log[0]).toMatch(/^nosuch\.invalid gaierror: /);
  });
});

describe('ntp arithmetic (RFC 5905 §8, RFC 4330 §3)', () => {
  it('offset and delay from the four timestamps', () => {
    const r = offsetAndDelay(100, 110.5, 110.6, 101);
    expect(r.offset).toBeCloseTo(10.05, 9);
    expect(r.delay).toBeCloseTo(0.9, 9);
  });

  it('timestamps with the top bit clear are in era 1 (after 2036-02-07)', () => {
    const b = Buffer.alloc(8);
    b.writeUInt32BE(0x00000001, 0);
    expect(ntpToUnix(b, 0)).toBe(2 ** 32 + 1 - 2_208_988_800);
    b.writeUInt32BE(0xe0000000, 0);
    expect(ntpToUnix(b, 0)).toBe(0xe0000000 - 2_208_988_800);
  });

  it('the level is signed, in ms below a second', () => {
    expect(offsetLevel(0.00042)).toBe('+0.4 ms');
    expect(offsetLevel(-2.5)).toBe('-2.500 s');
  });

  it('maxOffset must be positive and maxStratum 1–15', () => {
    expect(ntp.options.safeParse({ hostname: 'h', maxOffset: 0 }).success).toBe(false);
    expect(ntp.options.safeParse({ hostname: 'h', maxStratum: 16 }).success).toBe(false);
  });
});
