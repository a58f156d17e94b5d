/**
 * Delivery over SMTP with nodemailer. fletchck only speaks implicit TLS
 * (SMTPS, spec §5.4, §9 item 10); siteward adds STARTTLS (587) and plain
 * SMTP to a local relay. Certificates are verified against the system CAs
 * plus the optional `ca` file. The send ends at the action's timeout.
 */
import { readFile } from 'node:fs/promises';

import type { NodemailerError } from 'nodemailer';
import { ActionError, type ActionContext } from '../types.ts';
import { redact } from '../shared/http.ts';
import type { EmailMessage } from './mime.ts';

export type TlsMode = 'implicit' | 'starttls' | 'none';

export interface SmtpOptions {
  hostname: string;
  port: number;
  tls: TlsMode;
  username: string | null;
  password: string;
  ca: string | null;
  timeout: number;
}

/** fletchck's port 0 means the protocol's port: 465 SMTPS, 587 submission, 25 SMTP. */
export function smtpPort(port: number, tls: TlsMode): number {
  if (port) return port;
  return tls === 'implicit' ? 465 : tls === 'starttls' ? 587 : 25;
}

/** RFC 5321 §4.2.1: 5yz is a permanent refusal, 4yz transient; no reply (network, TLS) is transient. */
function classify(e: unknown, secrets: string[]): ActionError {
  const err = e as NodemailerError;
  const code = err.responseCode;
  const permanent = err.permanent === true || (code !== undefined && code >= 500 && code !== 503);
  const what = code ? `SMTP ${code}: ${(err.response ?? err.message).trim()}` : `${err.code ?? err.name}: ${err.message}`;
  return new ActionError(redact(what.slice(0, 300), secrets), { permanent, cause: e });
}

export async function sendSmtp(msg: EmailMessage, o: SmtpOptions, ctx: ActionContext): Promise<void> {
  let ca: string | undefined;
  if (o.ca) {
    try {
      ca = await readFile(o.ca, 'utf8');
    } catch (e) {
      throw new ActionError(`cannot read ca file ${o.ca}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { permanent: true });
    }
  }
  const ms = Math.ceil(o.timeout * 1000);
  // loaded by the first email sent: a site without email actions does not carry nodemailer (docs/performance.md)
  const { createTransport } = await import('nodemailer');
  const transport = createTransport({
    host: o.hostname,
    port: smtpPort(o.port, o.tls),
    secure: o.tls === 'implicit',
    requireTLS: o.tls === 'starttls',
    ignoreTLS: o.tls === 'none',
    // fletchck logs in only when both are set (spec §5.4)
    auth: o.username && o.password ? { user: o.username, pass: o.password } : undefined,
    tls: { ca: ca ? [ca] : undefined, servername: /^[\d.:]+$/.test(o.hostname) ? undefined : o.hostname },
    connectionTimeout: ms,
    greetingTimeout: ms,
    socketTimeout: ms,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const secrets = o.password ? [o.password] : [];
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new ActionError(`${o.hostname}: timed out`));
    if (ctx.signal.aborted) onAbort();
    else ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const info = await Promise.race([transport.sendMail({ envelope: msg.envelope, raw: msg.raw }), aborted]);
    if (info.rejected.length) ctx.log.warn({ rejected: info.rejected }, 'some email recipients were refused');
  } catch (e) {
    if (e instanceof ActionError) throw e;
    throw classify(e, secrets);
  } finally {
    if (onAbort) ctx.signal.removeEventListener('abort', onAbort);
    transport.close();
  }
}
