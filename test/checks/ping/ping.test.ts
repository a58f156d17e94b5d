/**
 * The `ping` check against the real system ping (iputils) on the loopback:
 * 127.0.0.1 and ::1 answer; a name that does not resolve fails with
 * gaierror. Packet loss is real too: the check runs in a private network
 * namespace (unshare -n, root only) whose loopback is down, or drops all or
 * every second echo reply (iptables), so the machine's own network is untouched.
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ping, pingArgs, PingOptions } from '../../../src/checks/ping/index.ts';
import { parseSummary, pingError } from '../../../src/checks/ping/summary.ts';
import { checkType } from '../../../src/checks/registry.ts';
import type { Outcome } from '../../../src/checks/types.ts';
import { runDirect } from '../../helpers/run-type.ts';
import { describeDaemon, IN_CI } from '../../servers/common.ts';

const PING = '/usr/bin/ping';
const fast = { interval: 0.2, count: 3 };

/** ::1 is configured on this machine's loopback (/proc/net/if_inet6 lists it as 000…01 on lo). */
function hasIpv6Loopback(): boolean {
  try {
    return readFileSync('/proc/net/if_inet6', 'utf8')
      .split('\n')
      .some((l) => /^0{31}1 .* lo$/.test(l.trim()));
  } catch {
    return false;
  }
}

describeDaemon('ping check (system ping)', [PING], () => {
  it('127.0.0.1: every request answered → PASS with loss, round-trip times and the level', async () => {
    const { outcome } = await runDirect(ping, { hostname: '127.0.0.1', ...fast });
    expect(outcome.fail, outcome.log.join('\n')).toBe(false);
    expect(outcome.log[0]).toMatch(/^127\.0\.0\.1: 3 transmitted, 3 received, 0% loss, rtt min\/avg\/max [\d.]+\/[\d.]+\/[\d.]+ ms$/);
    expect(outcome.level).toMatch(/^\d+\.\d+ ms$/);
    const names = (outcome.metrics ?? []).map((m) => m.name);
    expect(names).toEqual(['packet_loss', 'response_time', 'rtt_min', 'rtt_avg', 'rtt_max']);
    const m = Object.fromEntries((outcome.metrics ?? []).map((x) => [x.name, x.value]));
    expect(m.packet_loss).toBe(0);
    expect(m.rtt_min).toBeLessThanOrEqual(m.rtt_avg);
    expect(m.rtt_avg).toBeLessThanOrEqual(m.rtt_max);
    expect(m.response_time).toBe(m.rtt_avg);
  });

  const v6 = hasIpv6Loopback();
  if (!v6) console.warn('ping check: this machine has no IPv6 loopback (::1); the IPv6 test is skipped');
  it.skipIf(!v6)('::1 (IPv6, family ipv6) → PASS', async () => {
    const { outcome } = await runDirect(ping, { hostname: '::1', family: 'ipv6', ...fast });
    expect(outcome.fail, outcome.log.join('\n')).toBe(false);
    expect(outcome.log[0]).toMatch(/^::1: 3 transmitted, 3 received, 0% loss/);
  });

  it('localhost with family ipv4 pings 127.0.0.1 (-4 is passed)', async () => {
    expect(pingArgs(PingOptions.parse({ hostname: 'localhost', family: 'ipv4' }))).toContain('-4');
    const { outcome } = await runDirect(ping, { hostname: 'localhost', family: 'ipv4', ...fast });
    expect(outcome.fail, outcome.log.join('\n')).toBe(false);
  });

  it('a name that does not resolve → FAIL with the gaierror detail line', async () => {
    const { outcome } = await runDirect(ping, { hostname: 'nosuch.invalid', ...fast });
    expect(outcome.fail).toBe(true);
    expect(outcome.log).toEqual(['nosuch.invalid gaierror: Name or service not known']);
  });

  it('an average round-trip time above maxRtt → FAIL naming it (the run still reports its numbers)', async () => {
    const { outcome } = await runDirect(ping, { hostname: '127.0.0.1', ...fast, maxRtt: 0.0001 });
    expect(outcome.fail).toBe(true);
    expect(outcome.log[1]).toMatch(/^127\.0\.0\.1 RttTooHigh: average round-trip time [\d.]+ ms, above maxRtt 0\.0001 ms$/);
    expect(outcome.metrics?.find((m) => m.name === 'rtt_avg')?.crit).toBe(0.0001 / 1000);
  });

  it('the run ends at its timeout when ping is still waiting (and ping is killed)', async () => {
    // 20 requests a second apart cannot finish in 1.5 s; validate() would refuse this config at load
    const { outcome, elapsed } = await runDirect(ping, { hostname: '127.0.0.1', count: 20, interval: 1, timeout: 1.5 });
    expect(outcome.fail).toBe(true);
    expect(outcome.log).toEqual(['127.0.0.1 TimeoutError: no result within 1.5 s']);
    expect(elapsed).toBeLessThan(2500);
  });
});

describe('ping options', () => {
  it('a host starting with "-" (an option injected into ping) is refused at load', () => {
    const r = PingOptions.safeParse({ hostname: '-f' });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain('not starting with');
  });

  it('defaults: count 3, maxLoss 0, no maxRtt, interval 1 s, family auto', () => {
    const o = PingOptions.parse({ hostname: 'h' });
    expect(o).toMatchObject({ count: 3, maxLoss: 0, interval: 1, family: 'auto' });
    expect(o.maxRtt).toBeUndefined();
    expect(pingArgs(o)).toEqual(['-n', '-c', '3', '-i', '1', '-W', '2', '--', 'h']);
  });

  it('family is a closed set', () => {
    const r = PingOptions.safeParse({ hostname: 'h', family: 'ipx' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].path).toEqual(['family']);
  });

  it('validate: a run that cannot finish within the timeout is refused at load, naming count', () => {
    const o = PingOptions.parse({ hostname: 'h', count: 20 });
    expect(checkType('ping')?.validate?.(o, { base: '/', pluginDirs: [], sysRoot: '/sys', procRoot: '/proc' })).toEqual([
      { path: ['count'], message: '20 requests 1 s apart and 2 s for the last reply take 21 s: raise timeout above that, or lower count or interval' },
    ]);
    expect(
      checkType('ping')?.validate?.(PingOptions.parse({ hostname: 'h', count: 20, timeout: 30 }), {
        base: '/',
        pluginDirs: [],
        sysRoot: '/sys',
        procRoot: '/proc',
      }),
    ).toEqual([]);
  });
});

/** unshare needs root (CAP_SYS_ADMIN); CI runs as root. */
const isRoot = process.getuid?.() === 0;
const nsTools = ['/usr/bin/unshare', '/usr/sbin/ip', '/usr/sbin/iptables', PING];
if (!isRoot && IN_CI) throw new Error('ping loss tests need root for unshare -n, and CI runs as root');

/** Runs the check in a fresh network namespace prepared by `setup` (shell). */
function inNetns(setup: string, options: Record<string, unknown>): Outcome {
  const script = join(import.meta.dirname, 'netns-run.ts');
  const r = spawnSync(
    '/usr/bin/unshare',
    ['-n', '--', '/bin/sh', '-ec', `${setup}\nexec "$0" --import tsx "$1" "$2"`, process.execPath, script, JSON.stringify(options)],
    {
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  if (r.status !== 0) throw new Error(`netns run failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Outcome;
}

(isRoot ? describeDaemon : describe.skip)('ping check: real packet loss in a private network namespace', nsTools, () => {
  it('a namespace whose loopback is down: ping cannot send → FAIL with its reason', () => {
    const o = inNetns('ip link set lo down', { hostname: '127.0.0.1', ...fast });
    expect(o.fail).toBe(true);
    expect(o.log).toEqual(['127.0.0.1 OSError: connect: Network is unreachable']);
  });

  it('every reply dropped: no reply → FAIL with 100% loss and no round-trip times', () => {
    const o = inNetns('ip link set lo up\niptables -A INPUT -p icmp --icmp-type echo-reply -j DROP', { hostname: '127.0.0.1', ...fast });
    expect(o.fail).toBe(true);
    expect(o.log).toEqual(['127.0.0.1: 3 transmitted, 0 received, 100% loss', '127.0.0.1 PacketLoss: no reply to 3 echo requests']);
    expect(o.level).toBe('100% loss');
    expect(o.metrics).toEqual([{ name: 'packet_loss', value: 100, unit: '%', crit: 0, min: 0, max: 100 }]);
  });

  const dropHalf = 'ip link set lo up\niptables -A INPUT -p icmp --icmp-type echo-reply -m statistic --mode nth --every 2 --packet 0 -j DROP';

  it('every second reply dropped: 50% loss fails with the default maxLoss 0', () => {
    const o = inNetns(dropHalf, { hostname: '127.0.0.1', interval: 0.2, count: 4 });
    expect(o.fail).toBe(true);
    expect(o.log[0]).toMatch(/^127\.0\.0\.1: 4 transmitted, 2 received, 50% loss, rtt min\/avg\/max /);
    expect(o.log[1]).toBe('127.0.0.1 PacketLoss: 50% packet loss, above maxLoss 0%');
  });

  it('…and passes with maxLoss 50 (the limit itself passes)', () => {
    const o = inNetns(dropHalf, { hostname: '127.0.0.1', interval: 0.2, count: 4, maxLoss: 50 });
    expect(o.fail, o.log.join('\n')).toBe(false);
    expect(o.metrics?.find((m) => m.name === 'packet_loss')?.value).toBe(50);
  });
});

describe('ping output', () => {
  it("reads BusyBox ping's statistics too (an Alpine-based host's ping)", () => {
    const out = [
      'PING 127.0.0.1 (127.0.0.1): 56 data bytes',
      '--- 127.0.0.1 ping statistics ---',
      '2 packets transmitted, 2 packets received, 0% packet loss',
      'round-trip min/avg/max = 0.047/0.062/0.077 ms',
    ].join('\n');
    expect(parseSummary(out)).toEqual({ transmitted: 2, received: 2, loss: 0, rtt: { min: 0.047, avg: 0.062, max: 0.077 } });
    expect(parseSummary('ping: socket: Operation not permitted')).toBeNull();
  });

  it("names ping's errors as fletchck's Python would", () => {
    expect(pingError('ping: socket: Operation not permitted\n', 2)).toMatchObject({ name: 'PermissionError', message: 'socket: Operation not permitted' });
    expect(pingError('ping: h.invalid: Temporary failure in name resolution\n', 2)).toMatchObject({
      name: 'gaierror',
      message: 'Temporary failure in name resolution',
    });
    expect(pingError('', 2)).toMatchObject({ name: 'OSError', message: 'ping exited with status 2 and no message' });
  });
});
