/**
 * `cert` — a TLS server's certificate (spec §4.1): a handshake with SNI and
 * full verification (or none, with `selfsigned`), the expiry window, and an
 * optional `probe` sent after the handshake with the first reply logged.
 */
import { z } from 'zod';
import { defineCheck } from '../types.ts';
import { commonCheckOptions } from '../../config/schema.ts';
import { hostnameOption, timeoutOption, tlsOptions } from '../shared/net-options.ts';
import { netRun } from '../shared/netrun.ts';
import { checkExpiry, closeQuietly, connectTls, loadTrust } from '../shared/tls.ts';
import { LineReader } from '../shared/lines.ts';
import { repr, bytes } from '../../util/pyrepr.ts';

export const CertOptions = z.looseObject({
  ...commonCheckOptions,
  hostname: hostnameOption.describe('server host name (also the SNI name and the name the certificate must be valid for)'),
  // fletchck has no default here and fails at run time without one (spec §4.1); siteward requires it
  port: z.int().min(1).max(65535).describe('TCP port of the TLS service (required)'),
  timeout: timeoutOption(5),
  probe: z.string().optional().describe('text sent after the handshake; the first reply (up to 1024 bytes) is logged'),
  ...tlsOptions,
});

/** Python's conn.recv(1024). */
const PROBE_READ = 1024;

export const cert = defineCheck({
  type: 'cert',
  info: {
    summary: 'TLS certificate of any TLS service: verification, days left, optional probe.',
    pass: 'the handshake succeeds with a certificate valid for `hostname` (any, with `selfsigned`) that has at least `expiryDays` days left.',
    fletchck: true,
  },
  options: CertOptions,
  defaultTimeout: 5,
  async run(o, ctx) {
    return netRun(o.hostname, async (run) => {
      const trust = await loadTrust(o, ctx.env);
      const s = await connectTls({ host: o.hostname, port: o.port, trust, signal: ctx.signal, now: ctx.now });
      try {
        run.seen(s);
        checkExpiry(s.days, o.expiryDays);
        if (o.probe !== undefined) {
          // a reader (its listeners on the socket and the signal) only for a probe: most cert
          // checks have none, and a reader per run was ~2 KB of a run's garbage (issue 20)
          const reader = new LineReader(s.socket, ctx.signal);
          try {
            // fletchck logs `send: %r, %r` of (probe, sendall()'s None)
            reader.write(Buffer.from(o.probe, 'utf8'));
            run.log.push(`send: ${repr(o.probe)}, None`);
            run.log.push(`recv: ${repr(bytes(await reader.readSome(PROBE_READ)))}`);
          } finally {
            reader.close();
          }
        }
        run.pass();
      } finally {
        closeQuietly(s.socket);
      }
    });
  },
});
