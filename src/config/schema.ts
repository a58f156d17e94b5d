/**
 * zod schemas for the site file, in fletchck's shape and key names (spec §2.1,
 * §2.2, §3.1, §5.1, §7.1). Check and action option schemas come from their
 * registries, so adding a type never touches this file.
 */
import { z } from 'zod';
import { hostName } from './text-limits.ts';
import { OidcSchema } from './oidc.ts';
import { TemplateSchema } from '../actions/template-schema.ts';
import { vantageOptions } from '../zone/vantage.ts';

const nullableString = z.string().nullable();
const port = z.int().min(1).max(65535);
const hostname = hostName;

/** spec §2.2 (+ siteward: roles, session lifetime) */
export const WebuiSchema = z.looseObject({
  name: z.string().default('Fletchck').describe('site name shown in titles and notifications'),
  hostname: hostname.nullable().default('localhost').describe('listen address; empty = all interfaces'),
  port: port.nullable().default(null).describe('listen port'),
  cert: nullableString.default(null).describe('PEM certificate file; HTTPS when cert and key are set'),
  key: nullableString.default(null).describe('PEM private key file'),
  users: z.record(z.string(), z.string()).nullable().default(null).describe('username → argon2 PHC hash'),
  roles: z
    .record(z.string(), z.enum(['admin', 'operator', 'viewer']))
    .optional()
    .describe('siteward: username → role (admin, operator, viewer); fletchck users default to operator, "admin" to admin'),
  oidc: OidcSchema.optional().describe('siteward: single sign-on with OpenID Connect (docs/security.md)'),
});

/** spec §7.1 (+ siteward extensions, all optional so fletchck ignores them; docs/federation.md) */
const topicLevel = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[^/+#\u0000]+$/, 'one topic level: no "/", "+", "#"');
export const MqttSchema = z.looseObject({
  hostname: hostname.nullable().default('localhost').describe('broker host; empty: never connect'),
  port: port.nullable().default(null).describe('null: 1883, or 8883 with tls'),
  tls: z.boolean().default(false).describe('TLS with certificate and hostname verification'),
  username: nullableString.default(null).describe('sent only when password is set too'),
  password: z
    .union([z.string(), z.looseObject({})])
    .nullable()
    .default(null)
    .describe('a string, or siteward: {"env": "VAR"} or {"file": "path"} to keep it out of the site file')
    .meta({ secret: true }),
  clientid: nullableString.default(null).describe('null: a stable id derived from the host and site file (fletchck: random per start)'),
  persist: z.boolean().default(true).describe('clean session = !persist'),
  qos: z.int().min(0).default(1).describe('QoS of publish and subscribe (above 2 means 2)'),
  retain: z.boolean().default(true).describe('retain flag of check-state messages'),
  basetopic: nullableString.default(null).describe('subscription for remote checks (wildcards allowed)'),
  autoadd: z.boolean().default(true).describe('add a remote check for each unknown name received'),
  debug: z.boolean().default(false).describe('log every MQTT packet (debug level)'),
  instance: topicLevel
    .optional()
    .describe("siteward: this instance's name on the status topic (default: clientid if set, else <host>-<hash of the site file>)"),
  statustopic: z
    .string()
    .regex(/^[^+#\u0000]*$/, 'no wildcards')
    .nullable()
    .default('siteward/status')
    .describe('siteward: prefix of the retained online/offline status topics; null or empty: no liveness'),
  offlinegrace: z
    .number()
    .min(0)
    .max(3600)
    .default(5)
    .describe("siteward: seconds an offline status must hold before that instance's checks fail (a broker restart sends every will)"),
  queuesize: z.int().min(0).default(1000).describe('siteward: messages kept while the broker is unreachable'),
  maxpayload: z.int().min(1024).default(262144).describe('siteward: larger received messages are rejected (bytes)'),
  cafile: nullableString.default(null).describe('siteward: PEM file of extra CAs to trust for tls (relative to the site file)'),
  protocol: z.enum(['3.1.1', '5']).default('3.1.1').describe('siteward: MQTT protocol version'),
  keepalive: z.int().min(0).max(65535).default(60).describe('siteward: keepalive seconds (fletchck: 60)'),
  servers: z
    .array(
      z
        .string()
        .max(300)
        .regex(/^(\[[0-9A-Fa-f:.]+\]|[^\s:/[\]]+)(:\d{1,5})?$/, '"host" or "host:port"'),
    )
    .max(16)
    .default([])
    .describe('siteward: more servers of the same cluster ("host:port"), tried in turn after hostname:port when the connected one fails (docs/ha.md)'),
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
  hostname: hostname.nullable().default('localhost').describe('listen address of the API listener; empty = all interfaces'),
  port: port.nullable().default(null).describe('API listener port; null = no listener of its own'),
  cert: nullableString.default(null).describe('PEM certificate file; HTTPS when cert and key are set'),
  key: nullableString.default(null).describe('PEM private key file'),
  metricsAuth: z
    .boolean()
    .nullable()
    .default(null)
    .describe('require a bearer token (any scope) for /metrics: always (true), never (false), or by default (null) only when the listener is not on loopback'),
  badges: z.boolean().default(false).describe('serve public SVG badges for every check (else only checks with options.badge)'),
});

/**
 * siteward: run history retention, per tier (src/store/rollup.ts): every run
 * for `rawHours`, 5-minute summaries for `fiveMinuteDays`, hourly summaries
 * (and state transitions) for `days`.
 */
export const HistorySchema = z.looseObject({
  days: z
    .number()
    .min(0)
    .default(30)
    .describe('keep hourly summaries of the runs (count, failures, min/avg/max/p95 of run time and of each metric) and the state changes this many days'),
  fiveMinuteDays: z.number().min(0).default(3).describe('keep 5-minute summaries of the runs this many days'),
  rawHours: z.number().min(1).default(24).describe('keep every single run this many hours (older time is read from the summaries)'),
});

/** siteward: scheduler tuning. */
export const SchedulerSchema = z.looseObject({
  jitter: z.number().min(0).max(3600).default(5).describe('seconds of random delay added to each fire time (fletchck: 5)'),
  concurrency: z.int().min(1).default(2048).describe('most checks running at once'),
});

/** siteward: notification delivery (the outbox, docs/actions.md). */
export const NotificationsSchema = z.looseObject({
  retryHours: z.number().min(0).default(24).describe('hours a notification is retried after transient failures before it is given up'),
  backoff: z.number().min(1).default(30).describe('seconds before the first retry; doubled after each failed try (up to 20 % less, at random)'),
  backoffMax: z.number().min(1).default(3600).describe('longest wait between two tries, seconds'),
  stormLimit: z
    .int()
    .min(0)
    .default(10)
    .describe('notifications one action sends singly per clock minute; the rest of that minute go out as one digest (0: no limit)'),
  template: TemplateSchema.optional().describe(
    'default message template of every action without its own: {"subject": "…", "body": "…"} (docs/actions.md "Message templates")',
  ),
  url: z
    .string()
    .max(2048)
    .regex(/^https?:\/\/[^\s]+$/, 'an http:// or https:// address')
    .optional()
    .describe("the web UI's address as people reach it, for links in messages ({{url}}), e.g. https://siteward.example.org"),
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
  node: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[^/+#\u0000]+$/, 'a node name: no "/", "+", "#"')
    .nullable()
    .optional()
    .describe('siteward zones: run this check only on this node (docs/ha.md)'),
});

export const ActionCommonSchema = z.looseObject({
  type: z.string(),
  options: z.looseObject({}).optional(),
});

/** Options every check type accepts besides its own. */
export const commonCheckOptions = {
  timezone: z.string().optional().describe('IANA zone for this check (times, cron); default: the site zone'),
  renotify: z
    .number()
    .min(0)
    .optional()
    .describe('siteward: repeat the FAIL notification every this many minutes while the check stays FAIL (0 or unset: never)'),
  badge: z.boolean().optional().describe('siteward: serve public SVG badges of this check (/badge/<name>/state.svg, uptime.svg)'),
  tags: z.array(z.string().max(256)).max(100).optional().describe('siteward: labels that maintenance windows can select'),
  escalation: z
    .string()
    .max(1024)
    .optional()
    .describe('siteward: the escalation policy (site file "escalation") followed while this check stays FAIL unacknowledged'),
  ...vantageOptions,
};
