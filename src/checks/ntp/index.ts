/**
 * `ntp` — an NTP server (RFC 5905, as an SNTP client, RFC 4330): one
 * request over UDP, the server's stratum and leap indicator, and the clock
 * offset between this host and the server, which fails above `maxOffset`.
 * Replies that are not the answer to this request (another source, not
 * mode 4, a different origin timestamp) are ignored, as RFC 5905 §8's
 * "bogus" test does; the run then ends by its timeout.
 */
import { z } from 'zod';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { isIP, isIPv6 } from 'node:net';
import { lookup } from 'node:dns/promises';
import { performance } from 'node:perf_hooks';
import { defineCheck, type Metric, type RunContext } from '../types.ts';
import { commonCheckOptions } from '../../config/schema.ts';
import { hostnameOption, portOption, timeoutOption } from '../shared/net-options.ts';
import { netRun, type NetRun } from '../shared/netrun.ts';
import { abortReason } from '../shared/errors.ts';
import { LEAP_ALARM, MODE_SERVER, PACKET_SIZE, offsetAndDelay, parse, refIdText, request, type ServerReply } from './packet.ts';

export const NtpOptions = z.looseObject({
  ...commonCheckOptions,
  hostname: hostnameOption.describe('NTP server host name or IP address'),
  port: portOption(123, ' (UDP)'),
  timeout: timeoutOption(5),
  maxOffset: z
    .number()
    .positive()
    .max(86_400)
    .default(1)
    .describe("fail when this host's clock and the server's differ by more than this many seconds (either way)"),
  maxStratum: z.int().min(1).max(15).optional().describe("fail when the server's stratum is above this (1 = it has its own reference clock)"),
});

type Opts = z.output<typeof NtpOptions>;

/** The server answered, but not with a usable time. */
export class NtpError extends Error {
  override name = 'NtpError';
}

/** The clocks differ by more than `maxOffset`. */
export class ClockOffset extends Error {
  override name = 'ClockOffset';
}

interface Exchange {
  reply: ServerReply;
  /** Unix seconds, this host's clock: request sent (T1), reply received (T4) */
  t1: number;
  t4: number;
}

/** Resolves the name first: the socket's family follows the address (IPv4 or IPv6). */
async function address(host: string, signal: AbortSignal): Promise<string> {
  if (isIP(host)) return host;
  const aborted = new Promise<never>((_, reject) => {
    if (signal.aborted) reject(abortReason(signal));
    signal.addEventListener('abort', () => reject(abortReason(signal)), { once: true });
  });
  aborted.catch(() => undefined);
  return (await Promise.race([lookup(host), aborted])).address;
}

/** One request and the reply that answers it; T1 from the run's clock, T4 = T1 + the measured round trip. */
async function exchange(host: string, port: number, ctx: RunContext): Promise<Exchange> {
  const addr = await address(host, ctx.signal);
  const { packet, nonce } = request();
  return new Promise<Exchange>((resolve, reject) => {
    const sock: UdpSocket = createSocket(isIPv6(addr) ? 'udp6' : 'udp4');
    let t1 = 0;
    let sentAt = 0;
    const done = (e: Error | null, x?: Exchange): void => {
      ctx.signal.removeEventListener('abort', onAbort);
      sock.close();
      if (e) reject(e);
      else resolve(x!);
    };
    const onAbort = (): void => done(abortReason(ctx.signal));
    if (ctx.signal.aborted) {
      sock.close();
      reject(abortReason(ctx.signal));
      return;
    }
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    // a connected socket: datagrams from any other source are dropped by the kernel, and ICMP "port unreachable" is an error
    sock.on('error', (e) => done(e));
    sock.on('message', (msg: Buffer) => {
      const received = performance.now();
      if (msg.length < PACKET_SIZE) return;
      const reply = parse(msg);
      if (reply.mode !== MODE_SERVER || !reply.origin.equals(nonce)) return;
      done(null, { reply, t1, t4: t1 + (received - sentAt) / 1000 });
    });
    sock.connect(port, addr, () => {
      t1 = ctx.now() / 1000;
      sentAt = performance.now();
      sock.send(packet, (e) => {
        if (e) done(e);
      });
    });
  });
}

/** A signed offset for the level: milliseconds below a second, else seconds. */
export function offsetLevel(seconds: number): string {
  const sign = seconds < 0 ? '-' : '+';
  const a = Math.abs(seconds);
  return a < 1 ? `${sign}${(a * 1000).toFixed(1)} ms` : `${sign}${a.toFixed(3)} s`;
}

const signed = (v: number, digits: number): string => `${v < 0 ? '-' : '+'}${Math.abs(v).toFixed(digits)}`;

interface Read {
  offset?: number;
  stratum?: number;
  delay?: number;
}

async function dialogue(o: Opts, ctx: RunContext, run: NetRun, read: Read): Promise<void> {
  const { reply: r, t1, t4 } = await exchange(o.hostname, o.port || 123, ctx);
  // RFC 5905 §7.4: stratum 0 is a "kiss-o'-death", its reference ID a code such as RATE or DENY
  if (r.stratum === 0) throw new NtpError(`the server sent the kiss code ${JSON.stringify(refIdText(r))} instead of the time`);
  if (r.leap === LEAP_ALARM || r.stratum >= 16) throw new NtpError(`the server's clock is not synchronised (leap indicator ${r.leap}, stratum ${r.stratum})`);
  if (r.transmitZero) throw new NtpError('the reply has no transmit timestamp');
  const { offset, delay } = offsetAndDelay(t1, r.receive, r.transmit, t4);
  Object.assign(read, { offset, stratum: r.stratum, delay });
  run.log.push(`stratum ${r.stratum}, offset ${signed(offset, 6)} s, delay ${delay.toFixed(6)} s, reference ${refIdText(r)}`);
  // θ > 0: the server is ahead of this host (this host's clock is slow)
  if (Math.abs(offset) > o.maxOffset) throw new ClockOffset(`offset ${signed(offset, 3)} s is more than maxOffset ${o.maxOffset} s`);
  if (o.maxStratum !== undefined && r.stratum > o.maxStratum) throw new NtpError(`stratum ${r.stratum} is above maxStratum ${o.maxStratum}`);
  run.pass();
}

export const ntp = defineCheck({
  type: 'ntp',
  info: {
    summary: 'NTP server: stratum, leap indicator and the clock offset between this host and the server (SNTP over UDP).',
    pass: 'the server answers with a synchronised time (not a kiss code, not stratum 16), the offset is at most `maxOffset` seconds either way, and the stratum at most `maxStratum` when that is set.',
  },
  options: NtpOptions,
  defaultTimeout: 5,
  async run(o, ctx) {
    const read: Read = {};
    const outcome = await netRun(o.hostname, (run) => dialogue(o, ctx, run, read));
    if (read.offset === undefined) return outcome;
    const metrics: Metric[] = [
      ...(outcome.metrics ?? []),
      { name: 'offset', value: read.offset, unit: 's', crit: o.maxOffset },
      { name: 'stratum', value: read.stratum!, min: 1, max: 15 },
      { name: 'delay', value: read.delay!, unit: 's', min: 0 },
    ];
    return { ...outcome, level: offsetLevel(read.offset), metrics };
  },
});
