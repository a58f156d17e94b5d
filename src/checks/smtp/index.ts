/**
 * `smtp` — an SMTP server: greeting, STARTTLS (default) with certificate
 * verification and the expiry window, then EHLO decides; NOOP and QUIT
 * follow (spec §4.2).
 */
import { z } from 'zod';
import { defineCheck } from '../types.ts';
import { commonCheckOptions } from '../../config/schema.ts';
import { hostnameOption, portOption, timeoutOption, tlsOptions } from '../shared/net-options.ts';
import { netRun } from '../shared/netrun.ts';
import { loadTrust } from '../shared/tls.ts';
import { smtpAddress, smtpDialogue } from '../shared/smtp.ts';

export const SmtpOptions = z.looseObject({
  ...commonCheckOptions,
  hostname: hostnameOption.describe('mail server host name or IP address ("host:port" also works when port is 0)'),
  port: portOption(25),
  timeout: timeoutOption(6),
  tls: z.boolean().default(true).describe('upgrade with STARTTLS and verify the certificate (fails when STARTTLS is not offered)'),
  ...tlsOptions,
});

export const smtp = defineCheck({
  type: 'smtp',
  info: {
    summary: 'SMTP server: greeting, STARTTLS with certificate checks, EHLO, NOOP, QUIT.',
    pass: 'a 220 greeting, a verified STARTTLS handshake (when `tls`) with at least `expiryDays` days left, and a 2xx reply to EHLO.',
    fletchck: true,
  },
  options: SmtpOptions,
  defaultTimeout: 6,
  async run(o, ctx) {
    return netRun(o.hostname, async (run) => {
      const { host, port } = smtpAddress(o.hostname, o.port, 25);
      const trust = o.tls ? await loadTrust(o, ctx.env) : { selfsigned: false };
      await smtpDialogue({ host, port, tls: o.tls ? 'starttls' : 'none', trust, expiryDays: o.expiryDays, signal: ctx.signal, now: ctx.now }, run);
    });
  },
});
