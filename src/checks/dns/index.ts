/**
 * `dns` — ask one DNS server for one record (spec §4.7). Pass = a non-empty
 * answer; the log is the Python repr of `(name, TYPE, 'rdata …')` as
 * fletchck writes it, failures are `"<server> <Exception>: <message>"` with
 * dnspython's exception names and texts (the system resolver is named, where
 * fletchck prints `None`).
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { z } from 'zod';
import { defineCheck } from '../types.ts';
import { commonCheckOptions } from '../../config/schema.ts';
import { abortReason, detailLine } from '../shared/errors.ts';
import { repr, tuple } from '../../util/pyrepr.ts';
import { DnsError, resolveOnce } from './resolve.ts';
import { queryName } from './names.ts';
import { rdataText } from './rdata.ts';
import { isMetaType, packetTypeNumber, TYPE_NAMES, typeFromText, typeToText } from './types.ts';
import { didYouMean } from '../../util/suggest.ts';
import { RESOLV_CONF, systemNameserver } from './resolvconf.ts';
import type { Server } from './transport.ts';
import { hostName } from '../../config/text-limits.ts';

export const DnsOptions = z.looseObject({
  ...commonCheckOptions,
  hostname: hostName.optional().describe('DNS server to ask (IP address or host name); empty: the system resolver (first `nameserver` in /etc/resolv.conf)'),
  port: z.number().int().min(1).max(65535).default(53).describe('server port; used only when `hostname` is given'),
  timeout: z.number().positive().default(5).describe('seconds for the whole lookup, retries included'),
  reqName: z.string().default('org').describe('name to look up (absolute); for PTR an IP address, turned into its reverse name'),
  // a closed set, checked at load (dnspython refuses an unknown name only at run time)
  reqType: z
    .string()
    .default('soa')
    .superRefine((t, ctx) => {
      if (typeFromText(t) === undefined) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(t)} is not a DNS record type${didYouMean(t, TYPE_NAMES)}` });
    })
    .describe('record type, any name dnspython knows (A, AAAA, MX, TXT, SOA, PTR, SRV, CAA, TYPE65 …), case-insensitive'),
  reqTcp: z.boolean().default(false).describe('ask over TCP; over UDP a truncated answer is retried over TCP anyway'),
});
type Opts = z.output<typeof DnsOptions>;

export interface DnsDeps {
  /** resolv.conf to read the system resolver from (tests point it at a fixture) */
  resolvConf?: string;
  /** port of the system resolver (53; resolv.conf cannot say otherwise, tests can) */
  systemPort?: number;
}

/** The server to ask: the option, or the system resolver. */
async function pickServer(o: Opts, deps: Required<DnsDeps>, signal: AbortSignal): Promise<Server> {
  if (!o.hostname) return { address: await systemNameserver(deps.resolvConf), port: deps.systemPort };
  if (isIP(o.hostname.replace(/%.*$/, ''))) return { address: o.hostname, port: o.port };
  // beyond fletchck: a server given by name is looked up first (dnspython refuses
  // it); getaddrinfo cannot be cancelled, so the lifetime races it
  const aborted = new Promise<never>((_, reject) => {
    const fire = (): void => reject(abortReason(signal));
    if (signal.aborted) fire();
    else signal.addEventListener('abort', fire, { once: true });
  });
  aborted.catch(() => undefined);
  const { address } = await Promise.race([lookup(o.hostname), aborted]);
  return { address, port: o.port };
}

const responseTime = (ms: number): { name: string; value: number; unit: string; min: number } => ({
  name: 'response_time',
  value: Math.round(ms * 1000) / 1e6,
  unit: 's',
  min: 0,
});

export function createDnsCheck(deps: DnsDeps = {}) {
  const system = { resolvConf: deps.resolvConf ?? RESOLV_CONF, systemPort: deps.systemPort ?? 53 };
  return defineCheck({
    type: 'dns',
    info: {
      summary: 'Looks up one DNS record on a server (or the system resolver), over UDP or TCP.',
      pass: 'the server returns a non-empty answer for `reqName`/`reqType` (CNAMEs in the answer are followed).',
      fletchck: true,
    },
    options: DnsOptions,
    defaultTimeout: 5,
    async run(o, ctx) {
      // fletchck prints the dnspython server argument, `None` for the system
      // resolver: siteward names it (and its address once resolv.conf is read)
      let subject = o.hostname ? o.hostname : 'system resolver';
      const lifetime = AbortSignal.any([ctx.signal, AbortSignal.timeout(o.timeout * 1000)]);
      try {
        const type = typeFromText(o.reqType);
        if (type === undefined) throw new DnsError('UnknownRdatatype', 'DNS resource record type is unknown.');
        if (isMetaType(type)) throw new DnsError('NoMetaqueries', 'DNS metaqueries are not allowed.');
        const name = queryName(o.reqName, type);
        const server = await pickServer(o, system, lifetime);
        if (!o.hostname) subject = `${server.address} (system resolver)`;
        const r = await resolveOnce(server, { name, type, tcp: o.reqTcp, signal: lifetime });
        // an RRset is a set: dnspython drops repeated records
        const rdata = [...new Set(r.records.map((rec) => rdataText(rec.type, packetTypeNumber(rec.type) ?? type, rec.data)))];
        return {
          fail: false,
          log: [repr(tuple(`${name}.`, typeToText(type), rdata.join(' ')))],
          metrics: [responseTime(r.ms)],
        };
      } catch (e) {
        const ms = e instanceof DnsError ? e.ms : undefined;
        return { fail: true, log: [detailLine(subject, e)], metrics: ms === undefined ? undefined : [responseTime(ms)] };
      }
    },
  });
}

export const dns = createDnsCheck();
