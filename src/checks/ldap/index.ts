/**
 * `ldap` — an LDAP directory: connect with StartTLS (default), LDAPS or in
 * plain text, a simple bind (RFC 4513 §5.1.3) when `username` is set, then
 * a search whose entries are counted (or, without `base`, a read of the
 * root DSE to see that an LDAP server answers), and an unbind. The secure
 * channel is shared/tls.ts' (starttls.ts for the upgrade); the LDAP
 * operations are ldapts', loaded by the first run, over the guarded socket.
 */
import { z } from 'zod';
import type { Socket } from 'node:net';
import type { Client } from 'ldapts';
import { defineCheck, type Metric, type RunContext } from '../types.ts';
import { commonCheckOptions } from '../../config/schema.ts';
import { hostnameOption, portOption, timeoutOption, tlsOptions } from '../shared/net-options.ts';
import { netRun, type NetRun } from '../shared/netrun.ts';
import { checkExpiry, connectTcp, connectTls, loadTrust, type TlsSession } from '../shared/tls.ts';
import { SocketGuard } from '../shared/guard.ts';
import { SecretSchema, resolveSecret } from '../../util/secret.ts';
import { strRepr } from '../../util/pyrepr.ts';
import { startTls } from './starttls.ts';

/** A run reads at most this much: see shared/guard.ts (DNs only are asked for, so this is thousands of entries). */
export const REPLY_LIMIT = 1024 * 1024;
/** Entries asked for at most (the search's size limit); a count this high means "at least". */
export const MAX_ENTRIES = 1000;

/** An RFC 4515 filter's outline: parenthesised and balanced (ldapts parses it fully at run time). */
const filterShape = (f: string): boolean => {
  let depth = 0;
  for (const ch of f.replace(/\\[0-9a-fA-F]{2}/g, '')) {
    if (ch === '(') depth++;
    else if (ch === ')' && --depth < 0) return false;
  }
  return depth === 0 && f.startsWith('(') && f.endsWith(')');
};

export const LdapOptions = z.looseObject({
  ...commonCheckOptions,
  hostname: hostnameOption.describe('directory server host name or IP address'),
  port: portOption(389, ' (636 with `tls` "implicit")'),
  timeout: timeoutOption(10),
  tls: z
    .enum(['starttls', 'implicit', 'none'])
    .default('starttls')
    .describe('"starttls" (upgrade on the LDAP port, RFC 4513), "implicit" (LDAPS) or "none" (plain text: a bind password travels in the clear)'),
  username: z.string().min(1).max(1024).optional().describe('DN to bind as (simple bind), e.g. "cn=monitor,dc=example,dc=org"; absent = anonymous'),
  password: SecretSchema.optional().describe('password of `username`: a string, {"env": "NAME"} or {"file": "/path"}; never logged'),
  base: z.string().max(1024).optional().describe('search base DN; absent = only the root DSE is read'),
  filter: z
    .string()
    .min(3)
    .max(4096)
    .refine(filterShape, 'an LDAP filter in parentheses, e.g. "(objectClass=person)"')
    .default('(objectClass=*)')
    .describe('search filter (RFC 4515)'),
  scope: z.enum(['base', 'one', 'sub']).default('sub').describe('search scope: the base entry, its children, or the whole subtree'),
  expectCount: z
    .int()
    .min(0)
    .max(MAX_ENTRIES - 1)
    .optional()
    .describe('pass only when the search finds exactly this many entries'),
  minCount: z.int().min(0).max(MAX_ENTRIES).optional().describe('pass only when the search finds at least this many entries'),
  ...tlsOptions,
});

type Opts = z.output<typeof LdapOptions>;

/** A bind this check refuses to make. */
export class LdapError extends Error {
  override name = 'LdapError';
}

/** The search found another number of entries than asked for. */
export class UnexpectedCount extends Error {
  override name = 'UnexpectedCount';
}

type Ldapts = typeof import('ldapts');
let lib: Promise<Ldapts> | null = null;
/** ldapts is loaded by the first ldap run: a site without one does not carry it (docs/performance.md). */
const loadLdapts = (): Promise<Ldapts> => (lib ??= import('ldapts').then((m) => ((m as { default?: Ldapts }).default ?? m) as Ldapts));

/** The secured (or plain) connection ldapts is given. */
async function channel(o: Opts, port: number, ctx: RunContext, run: NetRun, ldapts: Ldapts): Promise<Socket> {
  if (o.tls === 'none') return connectTcp(o.hostname, port, ctx.signal);
  const trust = await loadTrust(o, ctx.env);
  const plain = o.tls === 'starttls' ? await startTls(await connectTcp(o.hostname, port, ctx.signal), ctx.signal, ldapts) : undefined;
  const s: TlsSession = await connectTls({ host: o.hostname, port, trust, signal: ctx.signal, now: ctx.now, socket: plain });
  run.seen(s);
  if (plain) run.log.push('StartTLS: success');
  try {
    checkExpiry(s.days, o.expiryDays);
  } catch (e) {
    s.socket.destroy();
    throw e;
  }
  return s.socket;
}

interface Read {
  count?: number;
}

async function dialogue(o: Opts, ctx: RunContext, run: NetRun, read: Read): Promise<void> {
  const password = o.username === undefined ? '' : await resolveSecret(o.password, ctx.env.base);
  // RFC 4513 §5.1.2: never an "unauthenticated" bind (a DN without a password), which servers may let pass
  if (o.username !== undefined && password === '') throw new LdapError('the password is empty: a bind DN without one is an unauthenticated bind');
  const ldapts = await loadLdapts();
  const port = o.port || (o.tls === 'implicit' ? 636 : 389);
  const sock = await channel(o, port, ctx, run, ldapts);
  const guard = new SocketGuard(sock, ctx.signal, REPLY_LIMIT);
  // ldapts takes a connected socket as it is (its connect sees readyState "open")
  const client: Client = new ldapts.Client({
    url: `ldap://${o.hostname.includes(':') ? `[${o.hostname}]` : o.hostname}:${port}`,
    createConnection: () => sock,
    strictDN: false,
  });
  try {
    if (o.username !== undefined) {
      await guard.run(client.bind(o.username, password));
      run.log.push(`bind as ${strRepr(o.username)}: success`);
    }
    if (o.base === undefined) {
      const dse = await guard.run(client.search('', { scope: 'base', filter: '(objectClass=*)', attributes: ['supportedLDAPVersion'], sizeLimit: 1 }));
      const versions = dse.searchEntries[0]?.supportedLDAPVersion;
      run.log.push(`root DSE: LDAP version ${[versions ?? '?'].flat().join(', ')}`);
    } else {
      const r = await guard.run(
        client.search(o.base, { scope: o.scope, filter: o.filter, attributes: ['1.1'], sizeLimit: MAX_ENTRIES, timeLimit: Math.ceil(o.timeout ?? 10) }),
      );
      const count = r.searchEntries.length;
      read.count = count;
      const more = count >= MAX_ENTRIES ? ' (the size limit: there may be more)' : '';
      run.log.push(`search ${strRepr(o.base)} ${o.scope} ${strRepr(o.filter)}: ${count} ${count === 1 ? 'entry' : 'entries'}${more}`);
      if (o.expectCount !== undefined && count !== o.expectCount) throw new UnexpectedCount(`${count} entries found, ${o.expectCount} expected`);
      if (o.minCount !== undefined && count < o.minCount) throw new UnexpectedCount(`${count} entries found, at least ${o.minCount} expected`);
    }
    run.pass();
  } finally {
    // an unbind ends the session the way the server expects (RFC 4511 §4.3)
    guard.close(() => client.unbind());
  }
}

export const ldap = defineCheck({
  type: 'ldap',
  info: {
    summary: 'LDAP directory: StartTLS or LDAPS, simple bind, a search whose entries are counted.',
    pass: 'the secure channel is verified (unless `tls` is "none") with at least `expiryDays` days left, the bind succeeds when `username` is set, and the search (or, without `base`, the root DSE read) succeeds with `expectCount` / at least `minCount` entries when those are set.',
  },
  options: LdapOptions,
  defaultTimeout: 10,
  validate(o) {
    const issues: { path: (string | number)[]; message: string }[] = [];
    // RFC 4513 §5.1.2: a DN with an empty password is an "unauthenticated" bind that many servers accept as anonymous
    if (o.username !== undefined && o.password === undefined) issues.push({ path: ['password'], message: 'a password is needed with username' });
    if (o.password !== undefined && o.username === undefined) issues.push({ path: ['username'], message: 'a username (bind DN) is needed with password' });
    if (o.base === undefined) {
      for (const k of ['expectCount', 'minCount'] as const) if (o[k] !== undefined) issues.push({ path: [k], message: `${k} needs base` });
    }
    return issues;
  },
  async run(o, ctx) {
    const read: Read = {};
    const outcome = await netRun(o.hostname, (run) => dialogue(o, ctx, run, read));
    if (read.count === undefined) return outcome;
    const metric: Metric = { name: 'entries', value: read.count, min: 0 };
    return { ...outcome, level: String(read.count), metrics: [...(outcome.metrics ?? []), metric] };
  },
});
