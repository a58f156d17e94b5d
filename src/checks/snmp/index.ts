/**
 * `snmp` — values read from an SNMP agent (siteward): a switch port's oper
 * status, a UPS's battery charge, a printer's toner level. SNMP v1/v2c with a
 * community, or v3 with a USM user (RFC 3414: authentication and privacy).
 * Each item GETs one OID, or walks a subtree (a table column) and tests every
 * row, with the value tests of ../shared/expect.ts. OIDs are numeric: MIB
 * files are not read.
 */
import { lookup } from 'node:dns/promises';
import { z } from 'zod';
import type { Session } from 'net-snmp';
import { defineCheck, type Metric, type RunContext } from '../types.ts';
import { commonCheckOptions } from '../../config/schema.ts';
import { hostnameOption, timeoutOption } from '../shared/net-options.ts';
import { netRun, type NetRun } from '../shared/netrun.ts';
import { abortReason } from '../shared/errors.ts';
import { failsTests, hasTests, showValue, valueTests } from '../shared/expect.ts';
import { resolveSecret, SecretSchema } from '../../util/secret.ts';
import { get, openSession, walk } from './session.ts';
import { exception, indexBelow, plainValue } from './values.ts';

const DEFAULT_TIMEOUT = 5;
/** Log lines of values shown; failures are always shown. */
const SHOWN_VALUES = 20;

const Oid = z
  .string()
  .trim()
  .regex(/^\.?[0-2](\.\d+)+$/, 'a numeric OID such as 1.3.6.1.2.1.1.3.0 (MIB names are not read)');

export const OidItem = z.strictObject({
  oid: Oid.describe('numeric OID, e.g. 1.3.6.1.2.1.2.2.1.8.3 (ifOperStatus of interface 3)'),
  label: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[^\s]+$/, 'one word')
    .optional()
    .describe('name in the log and the metric (default: the OID)'),
  unit: z.string().max(16).optional().describe('unit shown after the value and given to the metric, e.g. % or °C'),
  walk: z.boolean().default(false).describe('walk the subtree below the OID (a table column) and test every row'),
  ...valueTests,
});

const secret = (what: string): z.ZodType<z.output<typeof SecretSchema>> =>
  SecretSchema.describe(`${what}: a string, {"env": "NAME"} or {"file": "/path"}; never logged`).meta({ secret: true });

export const SnmpOptions = z.looseObject({
  ...commonCheckOptions,
  hostname: hostnameOption.describe('agent host name or IP address (IPv4 or IPv6)'),
  port: z.int().min(1).max(65535).default(161).describe('UDP port of the agent'),
  timeout: timeoutOption(DEFAULT_TIMEOUT),
  version: z.enum(['1', '2c', '3']).default('2c').describe('SNMP version: 1, 2c (community) or 3 (user)'),
  community: secret('community (v1, v2c)').default('public'),
  username: z.string().min(1).max(32).optional().describe('v3: the USM user name'),
  authProtocol: z.enum(['md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512']).default('sha').describe('v3: authentication protocol'),
  password: secret('v3: authentication passphrase (absent: no authentication)').optional(),
  privProtocol: z.enum(['des', 'aes', 'aes256b', 'aes256r']).default('aes').describe('v3: privacy (encryption) protocol; aes is AES-128 (RFC 3826)'),
  privPassword: secret('v3: privacy passphrase (absent: no encryption)').optional(),
  oids: z
    .array(OidItem)
    .min(1)
    .max(64)
    .describe('the OIDs read and their tests, e.g. [{"oid": "1.3.6.1.2.1.33.1.2.4.0", "label": "battery", "unit": "%", "min": 50}]'),
});

type Opts = z.output<typeof SnmpOptions>;
type Item = z.output<typeof OidItem>;

/** The agent answered, but a value failed its tests. */
class ValueError extends Error {
  override name = 'ValueError';
}

/** The failures in one detail line: the first few, then how many more. */
function summarise(failures: string[]): string {
  const shown = failures.slice(0, 5).join('; ');
  return failures.length > 5 ? `${shown}; and ${failures.length - 5} more` : shown;
}

const bare = (oid: string): string => oid.replace(/^\./, '');
const nameOf = (i: Item): string => i.label ?? bare(i.oid);

async function target(o: Opts, ctx: RunContext): ReturnType<typeof openSession> {
  const found = await Promise.race([
    lookup(o.hostname),
    new Promise<never>((_, reject) => {
      if (ctx.signal.aborted) reject(abortReason(ctx.signal));
      ctx.signal.addEventListener('abort', () => reject(abortReason(ctx.signal)), { once: true });
    }),
  ]);
  const base = ctx.env.base;
  const v3 = o.version === '3';
  const user = v3
    ? {
        name: o.username ?? '',
        authProtocol: o.authProtocol,
        authKey: o.password === undefined ? undefined : await resolveSecret(o.password, base),
        privProtocol: o.privProtocol,
        privKey: o.privPassword === undefined ? undefined : await resolveSecret(o.privPassword, base),
      }
    : undefined;
  // two tries within the timeout: one lost datagram does not fail the run
  const timeoutMs = Math.max(200, ((o.timeout ?? DEFAULT_TIMEOUT) * 1000) / 2);
  return openSession({
    address: found.address,
    family: found.family === 6 ? 6 : 4,
    port: o.port,
    version: o.version,
    community: v3 ? '' : await resolveSecret(o.community, base),
    user,
    timeoutMs,
    retries: 1,
  });
}

interface Reading {
  log: string[];
  failures: string[];
  metrics: Metric[];
  level: string | null;
}

function test(i: Item, where: string, value: number | string | null, r: Reading): void {
  const why = hasTests(i) ? failsTests(i, value) : null;
  if (why) r.failures.push(`${where} ${why}`);
  else if (r.log.length < SHOWN_VALUES) r.log.push(`${where} = ${showValue(value)}${i.unit && typeof value === 'number' ? ` ${i.unit}` : ''}`);
}

async function read(o: Opts, session: Session, signal: AbortSignal): Promise<Reading> {
  const r: Reading = { log: [], failures: [], metrics: [], level: null };
  const gets = o.oids.filter((i) => !i.walk);
  if (gets.length) {
    const vbs = await get(
      session,
      gets.map((i) => bare(i.oid)),
      signal,
    );
    gets.forEach((i, n) => {
      const vb = vbs[n];
      const ex = vb ? exception(vb) : 'no answer';
      if (ex) {
        r.failures.push(`${nameOf(i)} ${ex}`);
        return;
      }
      const value = plainValue(vb);
      test(i, nameOf(i), value, r);
      if (typeof value === 'number') {
        r.metrics.push({
          name: nameOf(i),
          value,
          ...(i.unit ? { unit: i.unit } : {}),
          ...(i.min !== undefined ? { critLow: i.min } : {}),
          ...(i.max !== undefined ? { crit: i.max } : {}),
        });
        r.level ??= `${value}${i.unit ? ` ${i.unit}` : ''}`;
      }
    });
  }
  for (const i of o.oids.filter((x) => x.walk)) {
    const root = bare(i.oid);
    const rows = await walk(session, root, signal);
    if (!rows.length) r.failures.push(`${nameOf(i)} no rows below ${root}`);
    for (const vb of rows) test(i, `${nameOf(i)}.${indexBelow(root, vb.oid)}`, plainValue(vb), r);
  }
  return r;
}

export const snmp = defineCheck({
  type: 'snmp',
  info: {
    summary: 'SNMP v1/v2c/v3: GET OIDs or walk table columns and test the values (switch ports, UPS battery, printer toner).',
    pass: 'the agent answers every OID and each value (every row of a walk) passes its tests: `equals`, `notEquals`, `min`, `max`, `matches`.',
  },
  options: SnmpOptions,
  defaultTimeout: DEFAULT_TIMEOUT,
  validate(o) {
    const out: { path: (string | number)[]; message: string }[] = [];
    if (o.version === '3' && o.username === undefined) out.push({ path: ['username'], message: 'SNMP v3 needs a username' });
    if (o.privPassword !== undefined && o.password === undefined) {
      out.push({ path: ['privPassword'], message: 'v3 privacy needs authentication too: set password' });
    }
    return out;
  },
  async run(o, ctx) {
    let reading: Reading | null = null;
    const out = await netRun(o.hostname, async (run: NetRun) => {
      let session: Session | undefined;
      try {
        session = await target(o, ctx);
        const r = await read(o, session, ctx.signal);
        reading = r;
        run.log.push(...r.log);
        if (r.failures.length) throw new ValueError(summarise(r.failures));
        run.pass();
      } finally {
        session?.close();
      }
    });
    // the values read are shown (level, metrics) whether they passed or not
    const r = reading as Reading | null;
    return r ? { ...out, level: r.level, metrics: [...(out.metrics ?? []), ...r.metrics] } : out;
  },
});
