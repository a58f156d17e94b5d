/**
 * `ssh` — an SSH server answers and shows the expected host key (spec §4.6).
 * Key exchange only, never authentication. The key is compared with
 * `hostkey`, or learned on the first run and saved into the site file at
 * once (trust on first use).
 */
import { z } from 'zod';
import { defineCheck } from '../types.ts';
import { commonCheckOptions } from '../../config/schema.ts';
import { detailLine, errorMessage } from '../shared/errors.ts';
import { strRepr } from '../../util/pyrepr.ts';
import { HOSTKEY_PATTERN, keyMatches } from './hostkey.ts';
import { preauth, SshError } from './preauth.ts';
import { hostName } from '../../config/text-limits.ts';

export const SshOptions = z.looseObject({
  ...commonCheckOptions,
  hostname: hostName.min(1, 'the SSH server (host name or address) is required').describe('SSH server host name or address'),
  port: z.number().int().min(1).max(65535).default(22).describe('SSH port'),
  timeout: z.number().positive().default(5).describe('seconds for the connect and the key exchange together'),
  hostkey: z
    .union([z.literal(''), z.string().trim().regex(HOSTKEY_PATTERN, 'expected a base64 key blob or an OpenSSH SHA256: fingerprint')])
    .optional()
    .describe(
      'expected host key: the base64 key blob (as fletchck stores it, field 2 of an OpenSSH .pub line) or an OpenSSH ' +
        '`SHA256:` fingerprint (`ssh-keygen -lf`); empty: learn the key on the first run and save it',
    ),
});

export const ssh = defineCheck({
  type: 'ssh',
  info: {
    summary: 'SSH key exchange (no login) and a host-key comparison; the key is learned on first use.',
    pass: 'key exchange completes and the host key matches `hostkey` (or `hostkey` was empty and is now saved).',
    fletchck: true,
  },
  options: SshOptions,
  defaultTimeout: 5,
  async run(o, ctx) {
    const stored = o.hostkey ? o.hostkey : undefined;
    const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(o.timeout * 1000)]);
    const log: string[] = [];
    try {
      const r = await preauth({
        host: o.hostname,
        port: o.port,
        signal,
        timeoutS: o.timeout,
        accept: (key) => stored === undefined || keyMatches(stored, key),
      });
      const b64 = r.key.toString('base64');
      log.push(`${o.hostname}:${o.port} ${strRepr(b64)}`);
      const metrics = [{ name: 'response_time', value: Math.round(r.ms * 1000) / 1e6, unit: 's', min: 0 }];
      if (!r.accepted) {
        // fletchck raises ValueError here, and any ValueError is a `hostkey` soft-fail (spec §3.4)
        log.push(detailLine(o.hostname, new SshError('ValueError', 'Invalid host key')));
        return { fail: true, softFail: 'hostkey', log, metrics };
      }
      let saveError: unknown = null;
      if (stored === undefined) {
        // trust on first use, written to the site file now (fletchck kept it in memory until the next save)
        ctx.log.info({ hostkey: b64, algorithm: r.algorithm }, `${o.hostname}: adding hostkey`);
        await ctx.saveOptions({ hostkey: b64 }).catch((e: unknown) => (saveError = e));
      }
      log.push('ignore: None', 'close: None');
      if (saveError !== null) log.push(`hostkey not saved: ${errorMessage(saveError)}`);
      return { fail: false, log, metrics };
    } catch (e) {
      log.push(detailLine(o.hostname, e));
      return { fail: true, log };
    }
  },
});
