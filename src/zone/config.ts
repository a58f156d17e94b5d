/**
 * The site file's `zone` key (issue 23, docs/ha.md): a site with a zone is
 * one of the 1–3 nodes that run it together. `"zone": "hq"` is the short
 * form; the object form tunes the timing. Nodes of a zone share the `mqtt`
 * broker settings (each may point at a different server of a cluster).
 */
import { hostname as osHostname } from 'node:os';
import { z } from 'zod';

const level = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[^/+#\u0000]+$/, 'one topic level: no "/", "+", "#"');

export const ZoneObjectSchema = z.looseObject({
  name: level.describe('the zone: every node whose site file names it shares the checks'),
  heartbeat: z.number().min(0.05).max(3600).default(10).describe('seconds between two status messages of a node'),
  misses: z.int().min(1).max(100).default(3).describe('heartbeats a node may miss before the others count it as dead'),
  grace: z
    .number()
    .min(0)
    .max(3600)
    .default(30)
    .describe('seconds after start during which nodes known but not yet up keep their checks (a lone first node does not take everything)'),
  topic: z
    .string()
    .min(1)
    .max(256)
    .regex(/^[^+#\u0000]+$/, 'no wildcards')
    .default('siteward/zone')
    .describe('topic prefix of the zone messages'),
  configbytes: z
    .int()
    .min(4096)
    .max(64 * 1024 * 1024)
    .default(1_000_000)
    .describe("largest config message sent or accepted, bytes (NATS's default max_payload is 1 MB)"),
  key: z
    .union([
      z.strictObject({ env: z.string().min(1).max(256).describe('environment variable holding the zone key') }),
      z.strictObject({ file: z.string().min(1).max(4096).describe('file holding the zone key (relative paths: from the site folder)') }),
    ])
    .nullable()
    .default(null)
    .describe(
      'the zone key: {"env": "NAME"} or {"file": "/path"} holding one or more keys of at least 32 characters, the first seals, all open (docs/ha.md "Trust"); null: the zone is unauthenticated',
    ),
});

export const ZoneSchema = z
  .union([level, ZoneObjectSchema])
  .nullable()
  .optional()
  .describe('siteward: the HA zone this node belongs to (docs/ha.md); a name, or {"name", "heartbeat", "misses", "grace", "topic", "key"}');

export type ZoneConfig = z.output<typeof ZoneObjectSchema>;

/** The zone settings, or null for a site without a zone. */
export function normalizeZone(v: z.output<typeof ZoneSchema>): ZoneConfig | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? ZoneObjectSchema.parse({ name: v }) : v;
}

/** A node's identity: `--node=NAME`, else SITEWARD_NODE, else the host name (first label). */
export function nodeName(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, host = osHostname()): string {
  const raw = flag || env.SITEWARD_NODE || host.split('.')[0] || 'siteward';
  const name = raw.replace(/[/+#\u0000]/g, '-').slice(0, 128);
  return name;
}

export interface ZoneTopics {
  node: (n: string) => string;
  nodes: string;
  notified: (check: string) => string;
  notifiedAll: string;
  /** the zone's config, retained (config-sync.ts) */
  config: string;
  /** a check's state, retained (state-sync.ts) */
  state: (check: string) => string;
  stateAll: string;
}

/** `<topic>/<zone>/`: every message of the zone's own is under it (guard.ts seals them). */
export function zoneBase(z: Pick<ZoneConfig, 'topic' | 'name'>): string {
  return `${z.topic.replace(/\/+$/, '')}/${z.name}/`;
}

export function zoneTopics(z: ZoneConfig): ZoneTopics {
  const base = zoneBase(z).slice(0, -1);
  return {
    node: (n) => `${base}/node/${n}`,
    nodes: `${base}/node/+`,
    notified: (c) => `${base}/notified/${encodeURIComponent(c)}`,
    notifiedAll: `${base}/notified/+`,
    config: `${base}/config`,
    state: (c) => `${base}/state/${encodeURIComponent(c)}`,
    stateAll: `${base}/state/+`,
  };
}

/**
 * The zone connection's MQTT keepalive (seconds) for a heartbeat: the
 * heartbeat itself, at least 5 s (a tight keepalive on a busy machine only
 * costs reconnects), at most 60 s. A broker that hears nothing of a client
 * for 1.5 × keepalive drops it and publishes its last will (MQTT 3.1.1
 * §3.1.2.10), so the zone hears a hung node (SIGSTOP, a frozen VM) is down
 * after 1.5 heartbeats, well before `misses` (3) heartbeats are missed.
 * The node itself stays in: its heartbeat (a QoS 1 publish) renews the
 * keepalive every heartbeat, and mqtt.js pings when it has sent nothing.
 */
export function zoneKeepalive(heartbeat: number): number {
  return Math.max(5, Math.min(60, Math.ceil(heartbeat)));
}
