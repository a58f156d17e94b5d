/**
 * zod schemas for the site file, in fletchck's shape and key names (spec §2.1,
 * §2.2, §3.1, §5.1, §7.1). Check and action option schemas come from their
 * registries, so adding a type never touches this file.
 */
import { z } from 'zod';

const nullableString = z.string().nullable();
const port = z.int().min(1).max(65535);

/** spec §2.2 (+ siteward: roles, session lifetime) */
export const WebuiSchema = z.looseObject({
  name: z.string().default('Fletchck').describe('site name shown in titles and notifications'),
  hostname: z.string().nullable().default('localhost').describe('listen address; empty = all interfaces'),
  port: port.nullable().default(null).describe('listen port'),
  cert: nullableString.default(null).describe('PEM certificate file; HTTPS when cert and key are set'),
  key: nullableString.default(null).describe('PEM private key file'),
  users: z.record(z.string(), z.string()).nullable().default(null).describe('username → argon2 PHC hash'),
  roles: z.record(z.string(), z.enum(['admin', 'operator', 'viewer'])).optional()
    .describe('siteward: username → role (admin, operator, viewer); fletchck users default to operator, "admin" to admin'),
});

/** spec §7.1 (+ siteward extensions, all optional so fletchck ignores them) */
export const MqttSchema = z.looseObject({
  hostname: z.string().nullable().default('localhost'),
  port: port.nullable().default(null).describe('null: 1883, or 8883 with tls'),
  tls: z.boolean().default(false),
  username: nullableString.default(null),
  password: z.union([z.string(), z.looseObject({})]).nullable().default(null),
  clientid: nullableString.default(null).describe('null: a stable id derived from the site'),
  persist: z.boolean().default(true).describe('clean session = !persist'),
  qos: z.int().min(0).default(1),
  retain: z.boolean().default(true),
  basetopic: nullableString.default(null).describe('subscription for remote checks (wildcards allowed)'),
  autoadd: z.boolean().default(true),
  debug: z.boolean().default(false),
});

/** siteward: folders `exec` checks may run programs from (admin only). */
export const PluginsSchema = z.looseObject({
  dirs: z.array(z.string()).default([]),
});

/**
 * siteward: the API, /metrics, push and badge endpoints. With a `port` they are
 * served by their own listener (also when the web UI is off); the web UI
 * serves them on its port as well.
 */
export const ApiSchema = z.looseObject({
  hostname: z.string().nullable().default('localhost').describe('listen address of the API listener; empty = all interfaces'),
  port: port.nullable().default(null).describe('API listener port; null = no listener of its own'),
  cert: nullableString.default(null).describe('PEM certificate file; HTTPS when cert and key are set'),
  key: nullableString.default(null).describe('PEM private key file'),
  metricsAuth: z.boolean().default(false).describe('require a bearer token (any scope) for /metrics'),
  badges: z.boolean().default(false).describe('serve public SVG badges for every check (else only checks with options.badge)'),
});

/** siteward: run history retention. */
export const HistorySchema = z.looseObject({
  days: z.number().min(0).default(30).describe('keep run history this many days'),
});

/** siteward: scheduler tuning. */
export const SchedulerSchema = z.looseObject({
  jitter: z.number().min(0).max(3600).default(5).describe('seconds of random delay added to each fire time (fletchck: 5)'),
  concurrency: z.int().min(1).default(2048).describe('most checks running at once'),
});

/** Common check keys (spec §3.1). `options` is validated per type by the registry. */
export const CheckCommonSchema = z.looseObject({
  type: z.string(),
  subType: nullableString.optional(),
  trigger: z.looseObject({}).nullable().optional(),
  threshold: z.int().min(1).optional(),
  retries: z.int().min(1).max(100).optional(),
  priority: z.int().optional(),
  paused: z.boolean().optional(),
  failAction: z.boolean().optional(),
  passAction: z.boolean().optional(),
  publish: nullableString.optional(),
  remoteId: nullableString.optional(),
  options: z.looseObject({}).optional(),
  actions: z.array(z.string()).optional(),
  depends: z.array(z.string()).optional(),
  data: z.unknown().optional(),
});

export const ActionCommonSchema = z.looseObject({
  type: z.string(),
  options: z.looseObject({}).optional(),
});

/** Options every check type accepts besides its own. */
export const commonCheckOptions = {
  timezone: z.string().optional().describe('IANA zone for this check (times, cron); default: the site zone'),
  badge: z.boolean().optional().describe('siteward: serve public SVG badges of this check (/badge/<name>/state.svg, uptime.svg)'),
};
