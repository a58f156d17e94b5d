/**
 * Option schemas shared by the network checks, with fletchck's names
 * (spec §4.1–§4.5) and the siteward additions (`ca`, `expiryDays`).
 */
import { z } from 'zod';
import { hostAccess } from '../../config/marks.ts';
import { hostName } from '../../config/text-limits.ts';

export const hostnameOption = hostName.trim().min(1, 'a host name or address is required').describe('server host name or IP address');

/** The run timeout in seconds; absent = the type's default (the runner applies it). */
export function timeoutOption(defaultSeconds: number) {
  return z.number().positive().max(3600).optional().describe(`seconds before the run fails (default ${defaultSeconds})`);
}

/** A port where 0 or absent means the protocol's default (fletchck's smtplib convention). */
export function portOption(defaultPort: number, extra = '') {
  return z.int().min(0).max(65535).optional().describe(`TCP port; 0 or absent = ${defaultPort}${extra}`);
}

export const tlsOptions = {
  selfsigned: z.boolean().default(false).describe('accept any certificate (no chain or host name verification); its days left are still read and checked'),
  // a file the daemon reads: the administrator's decision (docs/security.md)
  ca: hostAccess(z.string().min(1)).optional().describe('PEM file of extra CA certificates to trust, e.g. a private CA (path relative to the site folder)'),
  expiryDays: z.int().min(0).default(7).describe('fail (soft-fail `certificate`) when the certificate has fewer than this many whole days left'),
};
