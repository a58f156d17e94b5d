/**
 * `ping` — ICMP echo to a host (siteward; Uptime Kuma's and Gatus's most used
 * probe). Runs the system `ping` of iputils, which works without root: it
 * opens an ICMP datagram socket where net.ipv4.ping_group_range allows it,
 * else a raw socket through its file capability (cap_net_raw, set by the
 * Debian package). No shell: the host is one argument after `--`.
 *
 * Pass: the loss is at most `maxLoss` percent, and with `maxRtt` the average
 * round-trip time is at most that many milliseconds.
 */
import { z } from 'zod';
import { defineCheck, type Metric, type Outcome } from '../types.ts';
import { commonCheckOptions } from '../../config/schema.ts';
import { hostnameOption, timeoutOption } from '../shared/net-options.ts';
import { detailLine } from '../shared/errors.ts';
import { runPlugin } from '../exec/spawn.ts';
import { ms, parseSummary, PingError, pingError, summaryLine, type PingSummary } from './summary.ts';

/** Seconds ping waits for the reply to its last packet (`-W`): a later reply counts as lost. */
export const WAIT_S = 2;
const DEFAULT_TIMEOUT = 10;
const SAFE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export const PingOptions = z.looseObject({
  ...commonCheckOptions,
  hostname: hostnameOption
    .regex(/^[^\s-][^\s]*$/, 'a host name or address (no spaces, not starting with "-")')
    .describe('host name or IP address (IPv4 or IPv6) to ping'),
  timeout: timeoutOption(DEFAULT_TIMEOUT),
  count: z.int().min(1).max(100).default(3).describe('echo requests sent per run'),
  interval: z.number().min(0.2).max(60).default(1).describe('seconds between two requests (at least 0.2)'),
  maxLoss: z.number().min(0).max(100).default(0).describe('fail above this packet loss in percent; 0 = any lost packet fails'),
  maxRtt: z.number().positive().optional().describe('fail when the average round-trip time is above this many milliseconds'),
  family: z.enum(['auto', 'ipv4', 'ipv6']).default('auto').describe('address family: auto (as the name resolves), ipv4 or ipv6'),
});

type Opts = z.output<typeof PingOptions>;

/** A run that ended with a verdict on its numbers (the detail line names which). */
class Threshold extends PingError {}

export function pingArgs(o: Opts): string[] {
  const family = o.family === 'ipv4' ? ['-4'] : o.family === 'ipv6' ? ['-6'] : [];
  return ['-n', '-c', String(o.count), '-i', String(o.interval), '-W', String(WAIT_S), ...family, '--', o.hostname];
}

/** Seconds a run of `o` may take at most: the requests, then the wait for the last reply. */
export function budget(o: Pick<Opts, 'count' | 'interval'>): number {
  return (o.count - 1) * o.interval + WAIT_S;
}

/** The verdict on ping's statistics. */
export function judge(o: Pick<Opts, 'hostname' | 'maxLoss' | 'maxRtt'>, s: PingSummary): Outcome {
  const log = [summaryLine(o.hostname, s)];
  // ms with ping's three decimals → seconds, without float noise
  const sec = (v: number): number => Math.round(v * 1000) / 1e6;
  const metrics: Metric[] = [{ name: 'packet_loss', value: s.loss, unit: '%', crit: o.maxLoss, min: 0, max: 100 }];
  if (s.rtt) {
    metrics.push(
      { name: 'response_time', value: sec(s.rtt.avg), unit: 's', min: 0 },
      { name: 'rtt_min', value: sec(s.rtt.min), unit: 's', min: 0 },
      { name: 'rtt_avg', value: sec(s.rtt.avg), unit: 's', min: 0, ...(o.maxRtt !== undefined ? { crit: o.maxRtt / 1000 } : {}) },
      { name: 'rtt_max', value: sec(s.rtt.max), unit: 's', min: 0 },
    );
  }
  let problem: Threshold | null = null;
  if (s.received === 0) problem = new Threshold('PacketLoss', `no reply to ${s.transmitted} echo requests`);
  else if (s.loss > o.maxLoss) problem = new Threshold('PacketLoss', `${s.loss}% packet loss, above maxLoss ${o.maxLoss}%`);
  else if (o.maxRtt !== undefined && s.rtt && s.rtt.avg > o.maxRtt) {
    problem = new Threshold('RttTooHigh', `average round-trip time ${ms(s.rtt.avg)}, above maxRtt ${o.maxRtt} ms`);
  }
  if (problem) log.push(detailLine(o.hostname, problem));
  return { fail: problem !== null, log, level: s.rtt ? ms(s.rtt.avg) : `${s.loss}% loss`, metrics };
}

export const ping = defineCheck({
  type: 'ping',
  info: {
    summary: 'ICMP echo (the system ping): packet loss and round-trip times, IPv4 or IPv6.',
    pass: 'packet loss at most `maxLoss` % (default 0: every request answered) and, with `maxRtt`, an average round-trip time at most that many ms.',
  },
  options: PingOptions,
  defaultTimeout: DEFAULT_TIMEOUT,
  validate(o) {
    const timeout = o.timeout ?? DEFAULT_TIMEOUT;
    const need = budget(o);
    if (need >= timeout) {
      return [
        {
          path: ['count'],
          message: `${o.count} requests ${o.interval} s apart and ${WAIT_S} s for the last reply take ${need} s: raise timeout above that, or lower count or interval`,
        },
      ];
    }
    return [];
  },
  async run(o, ctx) {
    try {
      const r = await runPlugin('ping', {
        argv0: 'ping',
        args: pingArgs(o),
        cwd: '/',
        signal: ctx.signal,
        env: { PATH: SAFE_PATH, LC_ALL: 'C', LANG: 'C' },
        maxStdout: 64 * 1024,
        maxStderr: 4096,
      });
      const s = parseSummary(r.stdout);
      // exit 0: replies came; 1: none came (ping still prints its statistics); 2: an error
      if (!s || (r.code !== 0 && r.code !== 1)) return { fail: true, log: [detailLine(o.hostname, pingError(r.stderr, r.code))] };
      return judge(o, s);
    } catch (e) {
      const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
      const err = missing ? new PingError('FileNotFoundError', 'no ping program on this host (install iputils-ping)') : e;
      return { fail: true, log: [detailLine(o.hostname, err)] };
    }
  },
});
