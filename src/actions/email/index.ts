/**
 * `email` (spec §5.4): the fletchck notification mail by SMTP (implicit TLS
 * as in fletchck, or STARTTLS, or plain to a local relay) or, when no
 * `hostname` is set, through a sendmail-compatible `fallback` program.
 */
import { z } from 'zod';
import { defineAction } from '../types.ts';
import { APP_ICON, APP_NAME } from '../message.ts';
import { commonActionOptions, optionalSecret, recipients, secretValue, timeout } from '../shared/options.ts';
import { composeEmail } from './mime.ts';
import { templateOption } from '../template-schema.ts';
import { sendSmtp } from './smtp.ts';
import { sendmail } from './sendmail.ts';
import { hostAccess } from '../../config/marks.ts';
import { hostName } from '../../config/text-limits.ts';

export const EmailOptions = z.looseObject({
  ...commonActionOptions,
  hostname: hostName.nullable().default(null).describe('SMTP server; when unset, mail goes through `fallback`'),
  port: z.int().min(0).max(65535).default(0).describe('SMTP port; 0: 465 (implicit), 587 (starttls) or 25 (none)'),
  tls: z
    .enum(['implicit', 'starttls', 'none'])
    .default('implicit')
    .describe('siteward: "implicit" (SMTPS, fletchck\'s only mode), "starttls" (required upgrade) or "none" (plain, for a local relay)'),
  username: z.string().nullable().default(null).describe('SMTP login (used only together with password)'),
  password: optionalSecret('SMTP password'),
  sender: z.string().nullable().default(null).describe('From address and envelope sender'),
  recipients: recipients('To addresses (none: nothing is sent, and that counts as success)'),
  timeout: timeout(10),
  fallback: hostAccess(z.string().nullable()).default(null).describe('sendmail-compatible program used when hostname is unset, e.g. /usr/sbin/sendmail'),
  // fletchck's default (spec §5.4), kept so mail filters on "[Fletchck]" keep working
  site: z.string().default(APP_NAME).describe('subject prefix [site] (default Fletchck, as in fletchck)'),
  icon: z.string().default(APP_ICON).describe('icon before 👍 on PASS mails (default 🐶; fletchck wrongly defaulted to the app name)'),
  ca: hostAccess(z.string().nullable()).default(null).describe('siteward: PEM file of extra CA certificates to trust (private CA, self-signed relay)'),
  template: templateOption,
});

export const email = defineAction({
  type: 'email',
  info: { summary: "Sends the notification mail (fletchck's format) by SMTP (SMTPS, STARTTLS or plain) or a sendmail program.", fletchck: true },
  options: EmailOptions,
  defaultTimeout: 10,
  async send(n, o, ctx) {
    if (o.recipients.length === 0) {
      ctx.log.info('No email recipients specified - notify ignored');
      return;
    }
    if (!o.hostname && !o.fallback) {
      ctx.warn('Email notify not configured');
      return;
    }
    const password = await secretValue(o.password);
    const msg = await composeEmail(n, o, ctx.now());
    if (o.hostname) {
      await sendSmtp(msg, { hostname: o.hostname, port: o.port, tls: o.tls, username: o.username, password, ca: o.ca, timeout: o.timeout }, ctx);
    } else if (o.fallback) {
      await sendmail(o.fallback, msg, o.sender, ctx);
    }
  },
});
