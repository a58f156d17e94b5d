/**
 * From the site's `mqtt` settings (spec §7.1 + siteward keys) to what the
 * client needs: broker URL, TLS, credentials, the stable client id and the
 * instance name. Secrets are resolved here and never logged.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { resolve } from 'node:path';
import { rootCertificates } from 'node:tls';
import type { MqttConfig } from '../config/load.ts';
import { DEFAULT_MAX_PAYLOAD } from './payload.ts';

export interface Resolved {
  /** false when the settings say never to connect (an empty hostname, spec §7.1) */
  enabled: boolean;
  url: string;
  host: string;
  port: number;
  tls: boolean;
  ca: string[] | undefined;
  username: string | undefined;
  password: string | undefined;
  clientId: string;
  instance: string;
  clean: boolean;
  qos: 0 | 1 | 2;
  retain: boolean;
  basetopic: string | null;
  autoadd: boolean;
  debug: boolean;
  statusPrefix: string | null;
  /** ms an offline status waits before it fails that instance's checks */
  offlineGraceMs: number;
  queueSize: number;
  maxPayload: number;
  protocolVersion: 4 | 5;
  keepalive: number;
  /** a problem that stops the client (e.g. an unreadable CA or password file) */
  error: string | null;
  /** several servers of one cluster (`mqtt.servers`), tried in turn from host:port; undefined: host:port only */
  servers: { host: string; port: number }[] | undefined;
}

/** `mqtt.servers`: "host", "host:port" or "[v6]:port" (schema-checked), with the default port. */
export function parseServers(list: readonly string[], host: string, port: number): { host: string; port: number }[] | undefined {
  if (!list.length) return undefined;
  const out = [{ host, port }];
  for (const s of list) {
    const m = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(s);
    if (!m) continue;
    const h = m[1] ?? m[2];
    const p = m[3] ? Number(m[3]) : port;
    if (!out.some((x) => x.host === h && x.port === p)) out.push({ host: h, port: p });
  }
  return out.length > 1 ? out : undefined;
}

/**
 * fletchck's client id is a random UUID per start, so `persist` never
 * resumes a session. siteward derives one from the host and the site file:
 * stable across restarts, different for two sites on one host, and within
 * MQTT 3.1.1's guaranteed 23 characters of [0-9a-zA-Z].
 */
export function stableClientId(configPath: string, host = osHostname()): string {
  return `sw${createHash('sha256')
    .update(`${host}\n${resolve(configPath)}`)
    .digest('hex')
    .slice(0, 21)}`;
}

/**
 * The default instance name: the host name plus a short hash of the site
 * file, readable in logs ("instance offline: web-1-3fa2c1") and still
 * distinct for two sites on one host.
 */
export function stableInstance(configPath: string, host = osHostname()): string {
  const name = host.split('.')[0].replace(/[^A-Za-z0-9_-]/g, '') || 'siteward';
  return `${name}-${stableClientId(configPath, host).slice(2, 8)}`;
}

function secret(v: unknown, base: string): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.env === 'string') {
      const s = process.env[o.env];
      if (s === undefined) throw new Error(`password: environment variable ${o.env} is not set`);
      return s;
    }
    if (typeof o.file === 'string') {
      try {
        return readFileSync(resolve(base, o.file), 'utf8').replace(/\r?\n$/, '');
      } catch (e) {
        throw new Error(`password: cannot read ${o.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
      }
    }
    throw new Error('password: expected a string, {"env": "VAR"} or {"file": "path"}');
  }
  return undefined;
}

export function resolveSettings(m: MqttConfig, site: { configPath: string; base: string }): Resolved {
  let error: string | null = null;
  // spec §7.1: null or a non-string host means localhost; '' means never connect
  const host = typeof m.hostname === 'string' ? m.hostname : 'localhost';
  const port = m.port ?? (m.tls ? 8883 : 1883);
  let ca: string[] | undefined;
  if (m.tls && m.cafile) {
    try {
      // Node's `ca` replaces the system store: keep the system CAs and add these
      ca = [...rootCertificates, readFileSync(resolve(site.base, m.cafile), 'utf8')];
    } catch (e) {
      error = `cafile: cannot read ${m.cafile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
    }
  }
  let password: string | undefined;
  try {
    password = secret(m.password, site.base);
  } catch (e) {
    error = (e as Error).message;
  }
  const username = typeof m.username === 'string' ? m.username : undefined;
  // spec §7.1: credentials are sent only when both are set
  const both = username !== undefined && password !== undefined;
  const clientId = m.clientid || stableClientId(site.configPath);
  const statusPrefix = m.statustopic ? m.statustopic.replace(/\/+$/, '') : null;
  const urlHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return {
    enabled: host !== '',
    url: `${m.tls ? 'mqtts' : 'mqtt'}://${urlHost}:${port}`,
    host,
    port,
    tls: m.tls,
    ca,
    username: both ? username : undefined,
    password: both ? password : undefined,
    clientId,
    instance: m.instance ?? (m.clientid && /^[^/+#\u0000]+$/.test(m.clientid) ? m.clientid : stableInstance(site.configPath)),
    clean: !m.persist,
    qos: Math.min(2, Math.max(0, m.qos)) as 0 | 1 | 2,
    retain: m.retain,
    basetopic: m.basetopic || null,
    autoadd: m.autoadd,
    debug: m.debug,
    statusPrefix: statusPrefix || null,
    offlineGraceMs: m.offlinegrace * 1000,
    queueSize: m.queuesize,
    maxPayload: m.maxpayload ?? DEFAULT_MAX_PAYLOAD,
    protocolVersion: m.protocol === '5' ? 5 : 4,
    keepalive: m.keepalive,
    error,
    servers: parseServers(m.servers ?? [], host, port),
  };
}

/** What needs a new connection when it changes (everything but receive-side and queue tuning). */
export function connectionKey(r: Resolved): string {
  return JSON.stringify([
    r.enabled,
    r.url,
    r.tls,
    r.ca?.length ?? 0,
    r.ca?.at(-1) ?? null,
    r.username ?? null,
    r.password ?? null,
    r.clientId,
    r.instance,
    r.clean,
    r.qos,
    r.basetopic,
    r.statusPrefix,
    r.protocolVersion,
    r.keepalive,
    r.error,
    r.servers ?? null,
  ]);
}
