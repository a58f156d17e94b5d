/**
 * The web UI over a generated 10,000-check site, in this process: the Hono
 * app answers `app.request()` (server time, no socket), the site is started
 * with its checks scheduled but not run (runs would compete for the CPU),
 * and every check has a state (a quarter failing, with log and metrics).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Site } from '../../src/site.ts';
import * as wiring from '../../src/wiring.ts';
import { tuneHeap } from '../../src/util/heap.ts';
import { buildWebApp, type WebApp } from '../../src/web/app.ts';
import { pages } from '../../views/index.ts';
import { initialState } from '../../src/engine/state.ts';
import { tempDir } from '../../test/servers/common.ts';
import { Agent, fastHash, PASSWORDS, type FormBody } from '../../test/web/helpers.ts';
import { generateSite } from '../gen-site.ts';

export interface WebBench {
  site: Site;
  web: WebApp;
  agent: Agent;
  close(): Promise<void>;
}

/**
 * A settled history for the named checks, as the tiers hold it with the
 * default retention: every 1-minute run of the last 24 h, 5-minute buckets
 * for 7 days and hourly buckets for 30 days (written directly, not rolled
 * up: the bench is about reading them). 1 % of runs fail.
 */
export function fillHistory(site: Site, names: readonly string[], now: number): void {
  const HOUR = 3_600_000;
  const w = Math.floor(now / HOUR) * HOUR - HOUR;
  const db = site.db;
  const put5 = db.prepare('INSERT OR REPLACE INTO runs_5m (check_id, t, n, fails, dmin, davg, dmax, dp95) VALUES (?, ?, 5, ?, 10, 25, 60, 55)');
  const put1 = db.prepare('INSERT OR REPLACE INTO runs_1h (check_id, t, n, fails, dmin, davg, dmax, dp95) VALUES (?, ?, 60, ?, 10, 25, 60, 55)');
  let seed = 7;
  const rand = (): number => (seed = (seed * 48271) % 2147483647) / 2147483647;
  for (const name of names) {
    const runs = [];
    for (let k = 24 * 60; k > 0; k--)
      runs.push({ t: now - k * 60_000, fail: rand() < 0.01, durationMs: 1 + rand() * 40, level: null, softFail: null, metrics: [] });
    site.store.appendRuns(name, runs);
    const id = site.store.checkId(name);
    db.transaction(() => {
      for (let t = w - 3 * 24 * HOUR; t < w; t += 300_000) put5.run(id, t, rand() < 0.05 ? 1 : 0);
      for (let t = w - 30 * 24 * HOUR; t < w; t += HOUR) put1.run(id, t, rand() < 0.3 ? 1 : 0);
    })();
  }
  db.prepare("INSERT INTO kv (key, value) VALUES ('history.rolledUntil', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(String(w));
}

export async function webBench(n: number, role: 'olly' | 'vera' = 'olly', o: { history?: (site: Site) => string[] } = {}): Promise<WebBench> {
  const t = tempDir('sw-bench-web-');
  const path = join(t.dir, 'site.json');
  const doc = generateSite(n);
  doc.webui = {
    name: 'Bench',
    hostname: '127.0.0.1',
    port: 1,
    cert: null,
    key: null,
    users: { admin: await fastHash(PASSWORDS.admin), olly: await fastHash(PASSWORDS.olly), vera: await fastHash(PASSWORDS.vera) },
    roles: { vera: 'viewer' },
  };
  doc.actions = { logit: { type: 'log' } };
  writeFileSync(path, JSON.stringify(doc), { mode: 0o600 });
  tuneHeap();
  const site = await wiring.openSite({ configPath: path, migrations: wiring.migrations(), notifier: wiring.notifierFactory() });
  const now = Date.now();
  for (const name of site.loaded.checks.keys()) {
    const i = Number(name.replace(/^\D+/, ''));
    const failing = i % 4 === 0;
    site.runtime.setState(name, {
      ...initialState(),
      failState: failing,
      failCount: failing ? 3 : 0,
      lastCheck: now - 30_000,
      lastPass: failing ? now - 3_600_000 : now - 30_000,
      lastFail: failing ? now - 30_000 : null,
      level: ` ${i % 100}%`,
      log: failing ? [`check-${i} OSError: disk nearly full (${i % 100}%)`] : [],
      metrics: [{ name: 'used_percent', value: i % 100, unit: '%' }],
    });
  }
  if (o.history) fillHistory(site, o.history(site), now);
  // scheduled (next run times shown) but not run: the page cost alone is measured
  site.runner.run = () => Promise.resolve(null);
  await site.start();
  const web = await buildWebApp(wiring.webSiteView(site), { pages, secure: false });
  const agent = new Agent(web);
  const r = await agent.login(role, PASSWORDS[role]);
  if (r.status !== 303) throw new Error(`login failed: ${r.status}`);
  return {
    site,
    web,
    agent,
    close: async () => {
      web.close();
      await site.stop();
      t.cleanup();
    },
  };
}

const unescape = (v: string): string =>
  v
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The check form of a page as a browser would submit it (as test/web/check-form.test.ts reads it). */
export function formOf(html: string): FormBody {
  const at = html.indexOf('id="check-form"');
  if (at < 0) throw new Error('no check form on the page');
  const form = html.slice(html.lastIndexOf('<form', at), html.indexOf('</form>', at));
  const out: Record<string, string[]> = {};
  const add = (k: string, v: string): void => void (out[k] ??= []).push(unescape(v));
  for (const m of form.matchAll(/<input ([^>]*)\/?>/g)) {
    const name = /name="([^"]*)"/.exec(m[1])?.[1];
    if (!name || name === '_csrf') continue;
    if (/type="checkbox"/.test(m[1]) && !/checked=""/.test(m[1])) continue;
    add(name, /value="([^"]*)"/.exec(m[1])?.[1] ?? 'on');
  }
  for (const m of form.matchAll(/<select [^>]*name="([^"]*)"[^>]*>([\s\S]*?)<\/select>/g)) {
    for (const o of m[2].matchAll(/<option value="([^"]*)" selected=""/g)) add(m[1], o[1]);
  }
  for (const m of form.matchAll(/<textarea [^>]*name="([^"]*)"[^>]*>([\s\S]*?)<\/textarea>/g)) add(m[1], m[2]);
  return out;
}
