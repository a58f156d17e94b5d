/**
 * A site with the web UI for in-process tests (`app.request()`), and a tiny
 * cookie-keeping client that logs in and posts forms with the CSRF token.
 */
import { openSite, apiSiteView, webSiteView } from '../../src/wiring.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import argon2 from 'argon2';
import { Site, type SiteOptions } from '../../src/site.ts';
import type { MigrationSet } from '../../src/store/db.ts';
import { FakeClock } from '../../src/engine/clock.ts';
import { buildWebApp, type WebApp, type WebAppOptions } from '../../src/web/app.ts';
import { WEB_MIGRATIONS } from '../../src/web/sessions.ts';
import { API_MIGRATIONS } from '../../src/api/tokens.ts';
import { API_PATH_PREFIXES, apiRoutes, createApiContext } from '../../src/api/app.ts';
import type { Hono } from 'hono';
import type { WebEnv } from '../../src/web/context.ts';
import { tempDir } from '../servers/common.ts';

/** Cheap argon2id hashes: the tests are about the web UI, not about hashing cost. */
export async function fastHash(pw: string): Promise<string> {
  return argon2.hash(pw, { type: argon2.argon2id, timeCost: 2, memoryCost: 1024, parallelism: 1 });
}

export const PASSWORDS = { admin: 'admin-pass-1', olly: 'operator-pass', vera: 'viewer-pass-1' } as const;

export interface TestSite {
  site: Site;
  web: WebApp;
  dir: string;
  clock: FakeClock;
  path: string;
  close(): Promise<void>;
}

export async function webSite(
  o: {
    doc?: Record<string, unknown>;
    checks?: Record<string, unknown>;
    actions?: Record<string, unknown>;
    app?: Partial<WebAppOptions> | ((site: Site) => Partial<WebAppOptions>);
    clock?: FakeClock;
    /** e.g. the durable outbox (wiring's notifierFactory) */
    notifier?: SiteOptions['notifier'];
    migrations?: MigrationSet[];
    /** false: a database without the API's token table */
    api?: boolean;
    saveFs?: SiteOptions['saveFs'];
    log?: SiteOptions['log'];
  } = {},
): Promise<TestSite> {
  const t = tempDir('sw-web-');
  const path = join(t.dir, 'site.json');
  const doc = o.doc ?? {
    webui: {
      name: 'Test Site',
      hostname: '127.0.0.1',
      port: 1,
      cert: null,
      key: null,
      users: {
        admin: await fastHash(PASSWORDS.admin),
        olly: await fastHash(PASSWORDS.olly),
        vera: await fastHash(PASSWORDS.vera),
        '': await fastHash('dummy-x'),
      },
      roles: { vera: 'viewer' },
    },
    scheduler: { jitter: 0 },
    actions: o.actions ?? { logit: { type: 'log' } },
    checks: o.checks ?? {
      root: { type: 'disk', options: { volume: '/', level: 100 } },
      ram: { type: 'memory', options: { level: 100 } },
      seq: { type: 'sequence', trigger: { interval: { minutes: 5 } }, options: { checks: ['root', 'ram'] } },
      lone: { type: 'memory', options: { level: 100 } },
    },
  };
  writeFileSync(path, JSON.stringify(doc, null, 1), { mode: 0o600 });
  const clock = o.clock ?? new FakeClock(Date.UTC(2026, 0, 1, 12));
  const site = await openSite({
    configPath: path,
    dbPath: join(t.dir, 'site.db'),
    clock,
    migrations: [WEB_MIGRATIONS, ...(o.api === false ? [] : [API_MIGRATIONS]), ...(o.migrations ?? [])],
    notifier: o.notifier,
    saveFs: o.saveFs,
    log: o.log,
  });
  const web = await buildWebApp(webSiteView(site), { secure: false, flushMs: 5, ...(typeof o.app === 'function' ? o.app(site) : o.app) });
  return {
    site,
    web,
    dir: t.dir,
    clock,
    path,
    close: async () => {
      web.close();
      await site.stop();
      t.cleanup();
    },
  };
}

/** The web app with the API subsystem mounted as the wiring does (REST API, /push, /badge, /metrics). */
export function withApi(site: Site): Partial<WebAppOptions> {
  return { extensions: [{ path: '/', app: apiRoutes(createApiContext(apiSiteView(site))) as unknown as Hono<WebEnv>, exempt: API_PATH_PREFIXES }] };
}

export type FormBody = Record<string, string | string[]>;

export function formBody(f: FormBody): URLSearchParams {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
  return p;
}

/** A browser-like client for `app.request()`: cookies, CSRF token, client address. */
export class Agent {
  readonly jar = new Map<string, string>();
  csrf = '';

  constructor(
    readonly web: WebApp,
    readonly address = '127.0.0.1',
  ) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    return { ...(cookie ? { Cookie: cookie } : {}), Host: 'localhost', ...extra };
  }

  private keep(res: Response): Response {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const i = pair.indexOf('=');
      const k = pair.slice(0, i).trim();
      const v = pair.slice(i + 1).trim();
      if (attrs.some((a) => /max-age=0/i.test(a.trim())) || v === '') this.jar.delete(k);
      else this.jar.set(k, v);
    }
    return res;
  }

  async request(path: string, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<Response> {
    const env = { incoming: { socket: { remoteAddress: this.address } } };
    const res = await this.web.app.request(path, { ...init, headers: this.headers(init.headers) }, env as never);
    return this.keep(res);
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    const res = await this.request(path, { headers: { Accept: 'text/html', ...headers } });
    return res;
  }

  async page(path: string): Promise<string> {
    const res = await this.get(path);
    const text = await res.text();
    const m = /<meta name="csrf-token" content="([^"]+)"/.exec(text);
    if (m) this.csrf = m[1];
    return text;
  }

  async post(path: string, form: FormBody = {}, o: { csrf?: string | null; headers?: Record<string, string> } = {}): Promise<Response> {
    const token = o.csrf === undefined ? this.csrf : o.csrf;
    const body = formBody(token === null ? form : { _csrf: token, ...form });
    return this.request(path, { method: 'POST', body, headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...(o.headers ?? {}) } });
  }

  async login(user: string, password: string): Promise<Response> {
    const page = await (await this.get('/login')).text();
    const token = /name="_login" value="([^"]+)"/.exec(page)?.[1] ?? '';
    const res = await this.post('/login', { _login: token, username: user, password }, { csrf: null });
    if (res.status === 303) await this.page('/');
    return res;
  }
}

export function decodeHtml(s: string): string {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The HTML of the form that contains `marker` (an id or action attribute). */
export function formHtml(html: string, marker: string): string {
  const at = html.indexOf(marker);
  if (at < 0) throw new Error(`no form with ${marker}`);
  return html.slice(html.lastIndexOf('<form', at), html.indexOf('</form>', at));
}

/** What a browser would submit for a form as rendered: inputs, ticked boxes, selected options, text areas (no _csrf). */
export function scrapeForm(form: string): FormBody {
  const out: Record<string, string[]> = {};
  const add = (k: string, v: string): void => {
    (out[k] ??= []).push(decodeHtml(v));
  };
  for (const m of form.matchAll(/<input ([^>]*)\/?>/g)) {
    const attrs = m[1];
    const name = /name="([^"]*)"/.exec(attrs)?.[1];
    if (!name || name === '_csrf') continue;
    const value = /value="([^"]*)"/.exec(attrs)?.[1] ?? (/type="checkbox"/.test(attrs) ? 'on' : '');
    if (/type="checkbox"/.test(attrs) && !/checked=""/.test(attrs)) continue;
    add(decodeHtml(name), value);
  }
  for (const m of form.matchAll(/<select [^>]*name="([^"]*)"[^>]*>([\s\S]*?)<\/select>/g)) {
    const sel = /<option value="([^"]*)" selected=""/.exec(m[2]) ?? /<option value="([^"]*)"/.exec(m[2]);
    if (sel) add(decodeHtml(m[1]), sel[1]);
  }
  for (const m of form.matchAll(/<textarea [^>]*name="([^"]*)"[^>]*>([\s\S]*?)<\/textarea>/g)) add(decodeHtml(m[1]), m[2]);
  return out;
}
