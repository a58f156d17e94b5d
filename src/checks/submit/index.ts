/**
 * `submit` — SMTP submission over implicit TLS (SMTPS, port 465): TLS with
 * certificate verification and the expiry window, greeting, EHLO decides;
 * NOOP and QUIT follow (spec §4.3). Unlike fletchck, the expiry window is
 * applied here too.
 */
import { z } from 'zod';
import { defineCheck } from '../types.ts';
import { commonCheckOptions } from '../../config/schema.ts';
import { hostnameOption, portOption, timeoutOption, tlsOptions } from '../shared/net-options.ts';
import { netRun } from '../shared/netrun.ts';
import { loadTrust } from '../shared/tls.ts';
import { smtpAddress, smtpDialogue } from '../shared/smtp.ts';

export const SubmitOptions = z.looseObject({
  ...commonCheckOptions,
  hostname: hostnameOption.describe('mail server host name or IP address ("host:port" also works when port is 0)'),
  port: portOption(465),
  timeout: timeoutOption(10),
  ...tlsOptions,
});

export const submit = defineCheck({
  type: 'submit',
  info: {
    summary: 'SMTP submission over implicit TLS (SMTPS, 465): TLS, greeting, EHLO, NOOP, QUIT.',
    pass: 'a verified TLS handshake with at least `expiryDays` days left, a 220 greeting and a 2xx reply to EHLO.',
    fletchck: true,
  },
  options: SubmitOptions,
  defaultTimeout: 10,
  async run(o, ctx) {
    return netRun(o.hostname, async (run) => {
      const { host, port } = smtpAddress(o.hostname, o.port, 465);
      const trust = await loadTrust(o, ctx.env);
      await smtpDialogue({ host, port, tls: 'implicit', trust, expiryDays: o.expiryDays, signal: ctx.signal, now: ctx.now }, run);
    });
  },
});
