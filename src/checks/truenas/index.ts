/**
 * `truenas` — a TrueNAS SCALE system's storage health (siteward). TrueNAS
 * 25.04+ speaks JSON-RPC 2.0 over a WebSocket at `/api/current` (its REST API
 * v2.0 is deprecated there and removed in 26). The check logs in with an API
 * key, reads the pools and the active alerts, and fails on an unhealthy pool,
 * a disk with errors, an alert at or above `alertLevel`, or pool usage above
 * `level` (with hysteresis once failing).
 */
import { readFile } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';
import { z } from 'zod';
import { defineCheck } from '../types.ts';
import { commonCheckOptions } from '../../config/schema.ts';
import { percentLevel } from '../shared/format.ts';
import { levelFails, levelWarns, warnLevelOption } from '../shared/level.ts';
import { detailLine } from '../shared/errors.ts';
import { isFailing } from '../../engine/state.ts';
import { resolveSecret, SecretSchema } from '../../util/secret.ts';
import { hostAccess } from '../../config/marks.ts';
import { RpcClient } from './rpc.ts';
import { ALERT_LEVELS, assessAlerts, assessPools, type Alert, type Pool } from './assess.ts';
import { hostName } from '../../config/text-limits.ts';
import { compactAlerts, compactPools } from './topology.ts';

export const TruenasOptions = z.looseObject({
  ...commonCheckOptions,
  hostname: hostName.min(1).describe('TrueNAS host name or address'),
  port: z.int().min(1).max(65535).optional().describe('default 443 with tls, 80 without'),
  tls: z.boolean().default(true).describe('wss:// (recommended: TrueNAS revokes an API key that is used over plain ws://)'),
  selfsigned: z.boolean().default(false).describe("accept any certificate, without host name verification (as fletchck's option)"),
  ca: hostAccess(z.string()).optional().describe('PEM file with the CA (or the self-signed certificate) to trust, in addition to the system store'),
  apiKey: SecretSchema.describe('TrueNAS API key (Credentials → API Keys): the key, {"env": "NAME"} or {"file": "/path"}'),
  pool: z.string().optional().describe('watch only this pool; default: every pool'),
  alertLevel: z.enum(ALERT_LEVELS).default('WARNING').describe('fail on active (not dismissed) alerts at or above this level'),
  level: z.number().min(0).max(100).default(90).describe('fail above this pool usage percentage (the fullest pool counts)'),
  hysteresis: z.number().min(0).default(2).describe('once failing, pass again only below level − hysteresis'),
  ...warnLevelOption,
  timeout: z.number().positive().default(10).describe('seconds for the whole check'),
});
type TruenasOpts = z.output<typeof TruenasOptions>;

/** Node's certificate verification errors: a labelled failure, as TLS checks label them (§3.4). */
const CERT_CODES =
  /^(?:ERR_TLS_CERT_ALTNAME_INVALID|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(?:GET_ISSUER_CERT|VERIFY_LEAF_SIGNATURE))/;

class AuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthError';
  }
}

async function trusted(o: TruenasOpts, extra: string[] | undefined): Promise<string[] | undefined> {
  const own = o.ca ? [await readFile(o.ca, 'utf8')] : [];
  const more = [...own, ...(extra ?? [])];
  // Node's `ca` replaces the system store: keep it and add ours
  return more.length ? [...rootCertificates, ...more] : undefined;
}

function url(o: TruenasOpts): string {
  const host = o.hostname.includes(':') && !o.hostname.startsWith('[') ? `[${o.hostname}]` : o.hostname;
  const port = o.port ?? (o.tls ? 443 : 80);
  return `${o.tls ? 'wss' : 'ws'}://${host}:${port}/api/current`;
}

export const truenas = defineCheck({
  type: 'truenas',
  info: {
    summary: 'A TrueNAS SCALE system (25.04+): pool health, disk errors, active alerts and pool usage, over its JSON-RPC WebSocket API.',
    pass: 'every pool ONLINE and healthy, no disk with read/write/checksum errors, no active alert at or above `alertLevel`, and pool usage at or below `level` (with hysteresis once failing).',
  },
  options: TruenasOptions,
  defaultTimeout: 10,
  async run(o, ctx) {
    let rpc: RpcClient | null = null;
    try {
      const key = await resolveSecret(o.apiKey);
      rpc = await RpcClient.open(url(o), { signal: ctx.signal, rejectUnauthorized: !o.selfsigned, ca: await trusted(o, ctx.env.extraCa) });
      if ((await rpc.call('auth.login_with_api_key', [key])) !== true) throw new AuthError('the API key was not accepted');
      const [poolsRaw, alertsRaw] = await Promise.all([rpc.call('pool.query'), rpc.call('alert.list')]);
      let pools = (Array.isArray(poolsRaw) ? poolsRaw : []) as Pool[];
      const problems: string[] = [];
      if (o.pool !== undefined) {
        const found = pools.filter((p) => p.name === o.pool);
        if (found.length === 0) problems.push(`Pool ${o.pool} not found (pools: ${pools.map((p) => p.name).join(', ') || 'none'})`);
        pools = found;
      }
      const a = assessPools(pools, o.level);
      const alertList = (Array.isArray(alertsRaw) ? alertsRaw : []) as Alert[];
      const alerts = assessAlerts(alertList, o.alertLevel);
      problems.push(...a.problems, ...alerts);
      let usageFails = false;
      if (a.maxUsed !== null) {
        usageFails = levelFails(a.maxUsed, o.level, o.hysteresis, isFailing(ctx.check.state.failState));
        if (usageFails) problems.push(`Pool usage ${percentLevel(a.maxUsed).trim()}, Target: ${o.level}%`);
      }
      const info = a.info.length ? a.info : ['No pools'];
      return {
        fail: problems.length > 0,
        // WARN: pool usage above warnLevel (and nothing failing)
        warn: a.maxUsed !== null && levelWarns(a.maxUsed, o.warnLevel, o.hysteresis, ctx.check.state.warn),
        log: [...info, ...problems],
        level: a.maxUsed === null ? null : percentLevel(a.maxUsed),
        metrics: [...a.metrics, { name: 'alerts', value: alerts.length, min: 0 }],
        nas: { pools: compactPools(pools), ...compactAlerts(alertList) },
      };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (typeof code === 'string' && CERT_CODES.test(code)) {
        return { fail: true, softFail: 'certificate', log: [`${o.hostname} SSLCertVerificationError: ${(e as Error).message}`], level: null };
      }
      return { fail: true, log: [detailLine(o.hostname, e)], level: null };
    } finally {
      rpc?.close();
    }
  },
});
