/**
 * What the pages show about the subsystems around the engine: a push
 * check's URLs (the API's /push), a check's public badges (/badge), a remote
 * check's sender and staleness and the MQTT federation's status
 * (src/federation/mqtt.ts), and each action's delivery health from the
 * outbox (`notifier.actionStatus`). Plain view models; the views never
 * reach into the subsystems.
 */
import type { WebSite } from './web-site.ts';
import type { FederationView } from '../federation/mqtt.ts';
import type { FederationStats } from '../federation/stats.ts';
import { displayTime } from '../util/time.ts';
import { isObject } from '../util/guard.ts';

/** Base URLs the API's public endpoints are reachable on: this page's origin, and the API's own listener. */
export function publicBases(site: WebSite, origin: string): string[] {
  const out = [origin];
  const api = site.settings.api;
  if (api?.port) {
    const host = !api.hostname || api.hostname === '0.0.0.0' || api.hostname === '::' ? new URL(origin).hostname : api.hostname;
    const shown = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
    const base = `${api.cert && api.key ? 'https' : 'http'}://${shown}:${api.port}`;
    if (base !== origin) out.push(base);
  }
  return out;
}

export interface PushVM {
  /** null until the token is generated */
  token: string | null;
  /** the heartbeat URL on each base */
  urls: string[];
  /** shell commands: success, failure with a message */
  examples: { label: string; command: string }[];
  timeout: number | null;
  grace: number | null;
}

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** A push check's heartbeat URLs (src/api/push.ts); null for other types. */
export function pushVM(site: WebSite, name: string, origin: string): PushVM | null {
  const e = site.entry(name);
  if (!e || e.config.type !== 'push') return null;
  const opts = isObject(e.config.options) ? e.config.options : {};
  const token = typeof opts.token === 'string' && opts.token !== '' ? opts.token : null;
  const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
  const vm: PushVM = { token, urls: [], examples: [], timeout: num(e.opts?.timeout ?? opts.timeout), grace: num(e.opts?.grace ?? opts.grace) };
  if (token === null) return vm;
  const path = `/push/${encodeURIComponent(token)}`;
  vm.urls = publicBases(site, origin).map((b) => `${b}${path}`);
  const url = vm.urls[vm.urls.length - 1];
  vm.examples = [
    { label: 'success', command: `curl -fsS -m 10 --retry 3 ${shellQuote(url)}` },
    { label: 'failure with a message', command: `curl -fsS -m 10 --retry 3 ${shellQuote(`${url}?status=fail&msg=backup%20failed`)}` },
    {
      label: 'failure, message from a command (POST)',
      command: `curl -fsS -m 10 --data-urlencode status=fail --data-urlencode "msg=$(tail -n 1 backup.log)" ${shellQuote(url)}`,
    },
    {
      label: 'cron: heartbeat only when the job succeeds',
      command: `0 3 * * * /usr/local/bin/backup && curl -fsS -m 10 --retry 3 ${shellQuote(url)} >/dev/null`,
    },
  ];
  return vm;
}

export interface BadgeVM {
  state: string;
  uptime: string;
  markdown: string;
  html: string;
}

/** The public badges of a check, when enabled (src/api/badges.ts: options.badge or api.badges). */
export function badgeVM(site: WebSite, name: string, origin: string): BadgeVM | null {
  const e = site.entry(name);
  if (!e || (site.settings.api?.badges !== true && e.config.options.badge !== true)) return null;
  const base = `${origin}/badge/${encodeURIComponent(name)}`;
  const state = `${base}/state.svg`;
  const uptime = `${base}/uptime.svg?days=30`;
  const alt = name.replace(/[[\]\\]/g, '\\$&');
  const attr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return {
    state,
    uptime,
    markdown: `![${alt}](${state}) ![${alt} uptime](${uptime})`,
    html: `<img src="${attr(state)}" alt="${attr(name)}"> <img src="${attr(uptime)}" alt="${attr(`${name} uptime`)}">`,
  };
}

export interface RemoteVM {
  running: boolean;
  connected: boolean;
  instance: string | null;
  offline: string | null;
  topic: string | null;
  lastUpdate: string;
  /** when the check fails for silence (its `timeout`), or null */
  staleAt: string | null;
}

/** A remote check's sender and staleness (src/federation); null for other types. */
export function remoteVM(site: WebSite, name: string, federation: FederationView | null): RemoteVM | null {
  const e = site.entry(name);
  if (!e || e.config.type !== 'remote') return null;
  const fed = federation?.isRunning ? federation : undefined;
  const info = fed?.remoteInfo(name) ?? { instance: null, offline: null, topic: null };
  const deadline = fed?.staleDeadline(name) ?? null;
  return {
    running: fed !== undefined,
    connected: fed?.connected ?? false,
    ...info,
    lastUpdate: displayTime(site.state(name).lastUpdate, e.zone),
    staleAt: deadline === null ? null : displayTime(deadline, e.zone),
  };
}

export interface FederationVM {
  /** the site has an `mqtt` section */
  configured: boolean;
  /** the service runs in this process */
  running: boolean;
  connected: boolean;
  broker: string | null;
  instance: string | null;
  problem: { message: string; at: string } | null;
  stats: FederationStats | null;
}

export function federationVM(site: WebSite, federation: FederationView | null): FederationVM {
  const fed = federation?.isRunning ? federation : undefined;
  const p = fed?.problem ?? null;
  return {
    configured: site.settings.mqtt !== null,
    running: fed !== undefined,
    connected: fed?.connected ?? false,
    broker: fed?.brokerUrl ?? null,
    instance: fed?.instance ?? null,
    problem: p ? { message: p.message, at: p.at === null ? '' : displayTime(p.at, site.settings.timezone) } : null,
    stats: fed ? fed.snapshot() : null,
  };
}

export interface ActionHealthVM {
  /** ok: the last delivery went through; failing: the last attempt failed; idle: nothing sent yet */
  state: 'ok' | 'failing' | 'idle';
  lastSent: string;
  lastError: string | null;
  lastErrorAt: string;
  queued: number;
  failed: number;
}

/** An action's delivery health from the notifier (the outbox), or null when it keeps none. */
export function actionHealth(site: WebSite, name: string): ActionHealthVM | null {
  let s;
  try {
    s = site.notifier.actionStatus(name);
  } catch {
    return null;
  }
  const zone = site.settings.timezone;
  const failing = s.lastErrorAt !== null && (s.lastSent === null || s.lastErrorAt >= s.lastSent);
  return {
    state: failing ? 'failing' : s.lastSent !== null ? 'ok' : 'idle',
    lastSent: displayTime(s.lastSent, zone),
    lastError: s.lastError,
    lastErrorAt: displayTime(s.lastErrorAt, zone),
    queued: s.queued,
    failed: s.failed,
  };
}
