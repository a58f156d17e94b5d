/**
 * The notification email as an RFC 5322 message (spec §5.4): From (when a
 * sender is set), To (siteward: fletchck sends none), Subject, Message-ID,
 * Date in host local time, and the §5.4 body as text/plain. Built once and
 * sent unchanged by SMTP or handed to the sendmail fallback.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { emailBody, emailSubject } from '../message.ts';
import { renderFor, type Template } from '../template.ts';
import type { Notification } from '../types.ts';
import { wallTime } from '../../util/time.ts';

export interface EmailMessage {
  /** the message with CRLF line ends (SMTP) */
  raw: Buffer;
  envelope: { from: string; to: string[] };
  messageId: string;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number): string => String(n).padStart(2, '0');

/** RFC 5322 §3.3 date-time in `zone` (null: host local, as Python's `formatdate(localtime=True)`). */
export function rfc5322Date(t: number, zone: string | null = null): string {
  const w = wallTime(t, zone);
  const day = DAYS[new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay()];
  const sign = w.offset < 0 ? '-' : '+';
  const off = Math.abs(w.offset);
  return `${day}, ${pad(w.day)} ${MONTHS[w.month - 1]} ${w.year} ${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)} ${sign}${pad(Math.floor(off / 60))}${pad(off % 60)}`;
}

export interface ComposeOptions {
  sender: string | null;
  recipients: string[];
  /** subject prefix */
  site: string;
  icon: string;
  template?: Template;
}

export async function composeEmail(n: Notification, o: ComposeOptions, now: number): Promise<EmailMessage> {
  const messageId = `<${n.id ?? randomUUID()}@${hostname() || 'localhost'}>`;
  // MIME canonical form (RFC 2046 §4.1.1): text lines end in CRLF, also
  // inside base64; nodemailer would leave a bare LF in a 7bit body.
  const t = renderFor('email', o.template, n);
  // issue 19: the built-in text ends with the signed acknowledgement link of a failure (a template places {{ack}} itself)
  const text = (t.body ?? `${emailBody(n, o.icon)}${n.ackUrl ? `\n\nAcknowledge: ${n.ackUrl}` : ''}`).replace(/\r?\n/g, '\r\n');
  // loaded by the first email: a site without email actions does not carry nodemailer (docs/performance.md)
  const { default: MailComposer } = await import('nodemailer/lib/mail-composer');
  const composer = new MailComposer({
    from: o.sender ?? undefined,
    to: o.recipients,
    subject: t.subject ?? emailSubject(n, o.site),
    messageId,
    headers: { Date: rfc5322Date(now) },
    text,
    // like Python's MIMEText: 7bit when ASCII, else UTF-8 in base64
    textEncoding: 'base64',
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const raw = await composer.compile().build();
  return { raw, envelope: { from: o.sender ?? '', to: [...o.recipients] }, messageId };
}
