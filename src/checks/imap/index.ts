/**
 * `imap` — an IMAP server (spec §4.4): IMAPS (implicit TLS, 993) as in
 * fletchck, or STARTTLS on 143 with `tls`; certificate verification and the
 * expiry window; optionally a LOGIN; then NOOP and LOGOUT, and the pass.
 */
import { z } from 'zod';
import { defineCheck, type RunContext } from '../types.ts';
import { commonCheckOptions } from '../../config/schema.ts';
import { hostnameOption, portOption, timeoutOption, tlsOptions } from '../shared/net-options.ts';
import { netRun, type NetRun } from '../shared/netrun.ts';
import { checkExpiry, connectTcp, connectTls, loadTrust, type TlsSession } from '../shared/tls.ts';
import { LineReader } from '../shared/lines.ts';
import { SecretSchema, resolveSecret } from '../../util/secret.ts';
import { ImapError, ImapSession, resultRepr } from './protocol.ts';

export const ImapOptions = z.looseObject({
  ...commonCheckOptions,
  hostname: hostnameOption,
  port: portOption(993, ' (143 with `tls`)'),
  timeout: timeoutOption(6),
  tls: z.boolean().default(false).describe('connect in plain text and upgrade with STARTTLS (port 143) instead of IMAPS (implicit TLS, port 993)'),
  username: z.string().min(1).optional().describe('log in as this user (LOGIN) to check authenticated access'),
  password: SecretSchema.optional().describe('password for `username`: a string, {"env": "NAME"} or {"file": "/path"}; never logged'),
  ...tlsOptions,
});

type Opts = z.output<typeof ImapOptions>;

async function dialogue(o: Opts, ctx: RunContext, run: NetRun): Promise<void> {
  const trust = await loadTrust(o, ctx.env);
  // resolved before connecting: a missing secret fails without touching the server
  const password = o.username !== undefined ? await resolveSecret(o.password ?? '', ctx.env.base) : '';
  const port = o.port || (o.tls ? 143 : 993);
  const base = { host: o.hostname, port, trust, signal: ctx.signal, now: ctx.now };
  const secured = (s: TlsSession): void => {
    run.seen(s);
    checkExpiry(s.days, o.expiryDays);
  };
  let reader: LineReader | undefined;
  try {
    if (o.tls) {
      reader = new LineReader(await connectTcp(o.hostname, port, ctx.signal), ctx.signal);
    } else {
      const s = await connectTls(base);
      reader = new LineReader(s.socket, ctx.signal);
      secured(s);
    }
    const imap = new ImapSession(reader);
    await imap.greeting();
    await capabilities(imap);
    if (o.tls) {
      if (!imap.capabilities.has('STARTTLS')) throw new ImapError('STARTTLS not supported by server');
      const go = await imap.command('STARTTLS');
      if (go.type !== 'OK') throw new ImapError(`STARTTLS refused: ${resultRepr(go)}`);
      const s = await connectTls({ ...base, socket: reader.detach() });
      reader.resume(s.socket);
      run.log.push(resultRepr(go));
      secured(s);
      // RFC 3501 §6.2.1: capabilities learned before TLS must be discarded
      await capabilities(imap);
    }
    if (o.username !== undefined) {
      if (imap.capabilities.has('LOGINDISABLED')) throw new ImapError('LOGIN is disabled by the server (LOGINDISABLED)');
      const login = await imap.command('LOGIN', o.username, password);
      if (login.type !== 'OK') throw new ImapError(`LOGIN failed for ${JSON.stringify(o.username)}: ${resultRepr(login)}`);
      run.log.push(resultRepr(login));
    }
    const noop = await imap.command('NOOP');
    run.log.push(resultRepr(noop));
    if (noop.type !== 'OK') throw new ImapError(`NOOP failed: ${resultRepr(noop)}`);
    run.log.push(resultRepr(await imap.command('LOGOUT')));
    // fletchck passes only once LOGOUT is answered (spec §4.4)
    run.pass();
  } finally {
    reader?.close();
  }
}

async function capabilities(imap: ImapSession): Promise<void> {
  imap.capabilities = new Set();
  const r = await imap.command('CAPABILITY');
  if (r.type !== 'OK') throw new ImapError(`CAPABILITY failed: ${resultRepr(r)}`);
  // imaplib refuses a server that is not IMAP4rev1 (or rev2, RFC 9051)
  if (!imap.capabilities.has('IMAP4REV1') && !imap.capabilities.has('IMAP4REV2')) throw new ImapError('server not IMAP4 compliant');
}

export const imap = defineCheck({
  type: 'imap',
  info: {
    summary: 'IMAP server over IMAPS or STARTTLS: certificate checks, optional login, NOOP, LOGOUT.',
    pass: 'a verified TLS session with at least `expiryDays` days left, an IMAP4 greeting, an accepted LOGIN (when `username` is set), OK to NOOP and an answered LOGOUT.',
    fletchck: true,
  },
  options: ImapOptions,
  defaultTimeout: 6,
  validate(o) {
    const issues: { path: (string | number)[]; message: string }[] = [];
    if (o.username !== undefined && o.password === undefined) issues.push({ path: ['password'], message: 'a password is needed with username' });
    if (o.password !== undefined && o.username === undefined) issues.push({ path: ['username'], message: 'a username is needed with password' });
    return issues;
  },
  async run(o, ctx) {
    return netRun(o.hostname, async (run) => dialogue(o, ctx, run));
  },
});
