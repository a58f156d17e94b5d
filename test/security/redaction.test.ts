/**
 * Issue 15, "secrets in API reads": every option the registry marks secret,
 * in every registered check and action type, holds a unique value here, and
 * that value appears in none of the outputs below admin — the REST API
 * (read and operate tokens), the web UI (viewer and operator pages), the
 * logs (pino at debug level and the site log), /metrics and the MQTT
 * payloads — after each check has run and each action has been tested
 * against a receiver that echoes back all it was sent. The admin API does
 * return the values (so the search below can find them).
 */
import { openSite, webSiteView } from '../../src/wiring.ts';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { chmodSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Site } from '../../src/site.ts';
import { FakeClock } from '../../src/engine/clock.ts';
import { checkTypes } from '../../src/checks/registry.ts';
import { actionTypes } from '../../src/actions/registry.ts';
import { EACH_KEY, marksOf, slotText, slotValues, type SlotPath } from '../../src/config/marks.ts';
import { buildWebApp, type WebApp } from '../../src/web/app.ts';
import { WEB_MIGRATIONS } from '../../src/web/sessions.ts';
import { API_MIGRATIONS, siteTokens } from '../../src/api/tokens.ts';
import { Agent, PASSWORDS, fastHash, withApi } from '../web/helpers.ts';
import { freePort, tempDir } from '../servers/common.ts';
import { startAedes, type AedesBroker } from '../servers/aedes.ts';

/**
 * Options besides the secrets that make each type with secrets valid; `url` stands for the echo receiver.
 * Where a secret slot is inside a list (browser steps), the sample holds the item around it; the walk
 * below puts the secret in (a type with secrets and no sample here fails the suite, see `fill`).
 */
const CHECK_SAMPLES: Record<string, (o: { closed: number; plugin: string }) => Record<string, unknown>> = {
  imap: (o) => ({ hostname: '127.0.0.1', port: o.closed, tls: false, username: 'monitor' }),
  ups: (o) => ({ upsName: 'ups', hostname: '127.0.0.1', port: o.closed, username: 'upsmon' }),
  truenas: (o) => ({ hostname: '127.0.0.1', port: o.closed, tls: false }),
  exec: (o) => ({ command: [o.plugin] }),
  push: () => ({}),
  postgres: (o) => ({ hostname: '127.0.0.1', port: o.closed, username: 'monitor' }),
  mysql: (o) => ({ hostname: '127.0.0.1', port: o.closed, username: 'monitor' }),
  redis: (o) => ({ hostname: '127.0.0.1', port: o.closed, username: 'monitor' }),
  ldap: (o) => ({ hostname: '127.0.0.1', port: o.closed, tls: 'none', username: 'cn=monitor,dc=example,dc=org' }),
  mqtt: (o) => ({ hostname: '127.0.0.1', port: o.closed, username: 'monitor' }),
  snmp: (o) => ({ hostname: '127.0.0.1', port: o.closed, version: '3', username: 'monitor', oids: [{ oid: '1.3.6.1.2.1.1.3.0' }] }),
  browser: (o) => ({ url: `http://127.0.0.1:${o.closed}/login`, screenshot: false, steps: [{ fill: '#user', value: 'placeholder' }, { click: '#go' }] }),
};
const ACTION_SAMPLES: Record<string, (o: { closed: number; url: string }) => Record<string, unknown>> = {
  email: (o) => ({ hostname: '127.0.0.1', port: o.closed, tls: 'none', username: 'alerts', recipients: ['ops@example.org'], sender: 'sw@example.org' }),
  sms: () => ({ recipients: ['+61400000001'] }),
  webhook: () => ({}),
  ntfy: (o) => ({ server: o.url, topic: 'ops', username: 'bot' }),
  telegram: (o) => ({ apiUrl: o.url, chatId: 42 }),
  pushover: (o) => ({ apiUrl: `${o.url}/1/messages.json` }),
  slack: () => ({}),
};

/** The unique value of one secret slot; URL-shaped where the option is a URL the action sends to. */
function secretFor(type: string, slot: SlotPath, url: string): string {
  const opt = slotText(slot).replace(/[^A-Za-z0-9]+/g, '_');
  const id = `S3CRET-${type}-${opt}-x7Q`;
  if (type === 'push') return `pushtok_${type}_${opt}_0123456789`;
  return /url/i.test(opt) ? `${url}/${id}` : id;
}

/**
 * `value` with `secret` at every place `slot` reaches; where the value has nothing there yet, the place
 * is made: an option, a key of a record (`X_SECRET`). Items of a list are not made up: the sample gives them.
 */
function placeSecret(value: unknown, slot: SlotPath, secret: string): unknown {
  const [step, ...rest] = slot;
  if (step === undefined) return secret;
  if (typeof step === 'string') {
    const o = (value ?? {}) as Record<string, unknown>;
    return { ...o, [step]: placeSecret(o[step], rest, secret) };
  }
  if (step === EACH_KEY) {
    const o = (value ?? {}) as Record<string, unknown>;
    const keys = Object.keys(o).length ? Object.keys(o) : ['X_SECRET'];
    return { ...o, ...Object.fromEntries(keys.map((k) => [k, placeSecret(o[k], rest, secret)])) };
  }
  // an item of a list: only those that already have the place (a browser step with a `value`)
  return Array.isArray(value)
    ? value.map((x) =>
        rest.length === 0 || (x !== null && typeof x === 'object' && typeof rest[0] === 'string' && rest[0] in x) ? placeSecret(x, rest, secret) : x,
      )
    : value;
}
const inlineSecretsAt = (v: unknown, slot: SlotPath): unknown[] => slotValues(v, slot).map((x) => x.value);

const secrets: string[] = [];
let site: Site;
let web: WebApp;
let broker: AedesBroker;
let echo: Server;
const dir = tempDir('sw-redact-');
const logged: string[] = [];
const published: string[] = [];

beforeAll(async () => {
  // a receiver that answers 500 with everything it was sent: method, path, headers, body
  echo = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => res.writeHead(500, { 'Content-Type': 'text/plain' }).end(JSON.stringify({ m: req.method, u: req.url, h: req.headers, body })));
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
  const closed = await freePort();
  const plugin = join(dir.dir, 'check_ok');
  writeFileSync(plugin, '#!/bin/sh\necho "OK - fine"\n');
  chmodSync(plugin, 0o755);
  broker = await startAedes();
  broker.broker.on('publish', (p) => published.push(`${p.topic} ${p.payload.toString()}`));

  const checks: Record<string, unknown> = {};
  const actions: Record<string, unknown> = {};
  /** One unique secret at each secret slot of the type (src/config/marks.ts), at whatever depth, put into the sample. */
  const fill = (type: string, opts: Record<string, unknown>, schema: Parameters<typeof marksOf>[0]): Record<string, unknown> => {
    let out: unknown = opts;
    for (const slot of marksOf(schema).secrets) {
      const s = secretFor(type, slot, url);
      secrets.push(s);
      out = placeSecret(out, slot, s);
      if (!inlineSecretsAt(out, slot).includes(s))
        throw new Error(`${type}: the sample has no place for ${slotText(slot)}: give the item around it in CHECK_SAMPLES/ACTION_SAMPLES`);
    }
    return out as Record<string, unknown>;
  };
  for (const t of checkTypes) {
    if (marksOf(t.options).secrets.length === 0) continue;
    const sample = CHECK_SAMPLES[t.type];
    if (!sample) throw new Error(`check type ${t.type} has secret options: add a sample to CHECK_SAMPLES`);
    checks[`s-${t.type}`] = {
      type: t.type,
      publish: `sw/s-${t.type}`,
      options: fill(t.type, { ...sample({ closed, plugin }), timeout: 5 }, t.options),
      actions: [],
    };
  }
  for (const t of actionTypes) {
    if (marksOf(t.options).secrets.length === 0) continue;
    const sample = ACTION_SAMPLES[t.type];
    if (!sample) throw new Error(`action type ${t.type} has secret options: add a sample to ACTION_SAMPLES`);
    actions[`a-${t.type}`] = { type: t.type, options: fill(t.type, { ...sample({ closed, url }), timeout: 5 }, t.options) };
  }
  const path = join(dir.dir, 'site.json');
  writeFileSync(
    path,
    JSON.stringify({
      webui: {
        name: 'Redact',
        hostname: '127.0.0.1',
        port: 1,
        users: { admin: await fastHash(PASSWORDS.admin), olly: await fastHash(PASSWORDS.olly), vera: await fastHash(PASSWORDS.vera), '': await fastHash('d') },
        roles: { vera: 'viewer' },
      },
      plugins: { dirs: [dir.dir] },
      mqtt: { hostname: '127.0.0.1', port: broker.port, instance: 'redact' },
      scheduler: { jitter: 0 },
      checks,
      actions,
    }),
    { mode: 0o600 },
  );
  const sink = new Writable({
    write: (chunk: Buffer, _e, cb) => {
      logged.push(chunk.toString());
      cb();
    },
  });
  site = await openSite({
    configPath: path,
    dbPath: join(dir.dir, 'site.db'),
    clock: new FakeClock(Date.UTC(2026, 0, 1)),
    migrations: [WEB_MIGRATIONS, API_MIGRATIONS],
    log: pino({ level: 'debug' }, sink),
  });
  const errors = site.loaded.issues.filter((i) => i.severity === 'error');
  if (errors.length) throw new Error(`the samples are invalid: ${JSON.stringify(errors)}`);
  const federation = site.federation;
  site.use(federation);
  await site.start();
  for (const end = Date.now() + 20_000; !federation.connected; ) {
    if (Date.now() > end) throw new Error('the MQTT federation did not connect');
    await new Promise((r) => setTimeout(r, 20));
  }
  web = await buildWebApp(webSiteView(site), { secure: false, flushMs: 5, ...withApi(site) });
}, 60_000);

afterAll(async () => {
  web?.close();
  await site?.stop();
  await broker?.close();
  await new Promise<void>((r) => echo.close(() => r()));
  dir.cleanup();
});

const leaks = (text: string): string[] =>
  secrets.filter((s) => text.includes(s) || text.includes(encodeURIComponent(s)) || text.includes(JSON.stringify(s).slice(1, -1)));

describe('every secret option of every type, through every output below admin', () => {
  it('the site holds one of each (the walk is over the registries)', () => {
    const slots = [...checkTypes, ...actionTypes].reduce((n, t) => n + marksOf(t.options).secrets.length, 0);
    expect(secrets.length).toBe(slots);
    expect(slots).toBeGreaterThan(10);
  });

  it('runs and test sends happen (checks fail on a closed port, actions on the echoing receiver): logs, site log, state logs, MQTT', async () => {
    const o = new Agent(web);
    await o.login('olly', PASSWORDS.olly);
    for (const name of site.loaded.checks.keys()) await site.runNow(name, 'manual');
    for (const name of site.loaded.actions.keys()) {
      await o.page(`/action/${name}`);
      const res = await o.post(`/action/${encodeURIComponent(name)}/test`, { back: 'edit' });
      expect(res.status).toBe(200);
      const page = await res.text();
      expect(page, name).toContain('Test notification failed');
      expect(leaks(page), `test result page of ${name}`).toEqual([]);
    }
    await expect.poll(() => published.filter((p) => p.startsWith('sw/s-')).length, { timeout: 10_000 }).toBe(site.loaded.checks.size);
    expect(leaks(logged.join('\n')), 'pino logs').toEqual([]);
    expect(leaks(site.siteLog.all().join('\n')), 'site log').toEqual([]);
    for (const name of site.loaded.checks.keys()) expect(leaks(site.state(name).log.join('\n')), `log of ${name}`).toEqual([]);
    expect(leaks(published.join('\n')), 'MQTT payloads').toEqual([]);
    expect(logged.join('').length).toBeGreaterThan(0);
  });

  it('the REST API shows them to admin tokens only', async () => {
    const tokens = siteTokens(site);
    const token = (scope: 'read' | 'operate' | 'admin'): string => tokens.create({ name: `r-${scope}`, scope }).secret;
    const get = async (t: string, p: string): Promise<string> => {
      const res = await web.app.request(p, { headers: { authorization: `Bearer ${t}` } });
      expect(res.status, p).toBe(200);
      return res.text();
    };
    const paths = [
      '/api/v1/checks',
      '/api/v1/actions',
      '/api/v1/status',
      '/api/v1/metrics/all',
      ...[...site.loaded.checks.keys()].map((n) => `/api/v1/checks/${n}`),
      ...[...site.loaded.actions.keys()].map((n) => `/api/v1/actions/${n}`),
    ];
    for (const scope of ['read', 'operate'] as const) {
      const t = token(scope);
      for (const p of paths) expect(leaks(await get(t, p)), `${scope} ${p}`).toEqual([]);
    }
    const a = token('admin');
    const all = (await Promise.all(paths.map((p) => get(a, p)))).join('\n');
    expect(leaks(all).sort()).toEqual([...secrets].sort());
  });

  it('the web UI never sends them to a viewer or an operator; /metrics carries none', async () => {
    const v = new Agent(web);
    await v.login('vera', PASSWORDS.vera);
    const o = new Agent(web);
    await o.login('olly', PASSWORDS.olly);
    const pages = [
      '/',
      '/checks',
      '/actions',
      '/log',
      '/status',
      ...[...site.loaded.checks.keys()].map((n) => `/check/${n}`),
      ...[...site.loaded.actions.keys()].map((n) => `/action/${n}`),
    ];
    for (const p of pages) {
      const viewer = await v.page(p);
      expect(leaks(viewer), `viewer ${p}`).toEqual([]);
      // an operator sees a push check's URL (with its token) on the check's page: the one documented exception
      const operator = await o.page(p);
      expect(
        leaks(operator).filter((s) => !(p === '/check/s-push' && s.startsWith('pushtok_'))),
        `operator ${p}`,
      ).toEqual([]);
    }
    expect(await v.page('/check/s-imap')).toContain('(secret: inline)');
    const metrics = await (await web.app.request('/metrics')).text();
    expect(metrics).toContain('siteward_check_up');
    expect(leaks(metrics)).toEqual([]);
  });
});
