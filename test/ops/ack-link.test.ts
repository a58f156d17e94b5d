/**
 * One-click acknowledgement links (issue 19, src/ops/ack-link.ts): a failure
 * notified through the durable outbox to a real HTTP receiver carries a
 * signed link per action (webhook payload `ackUrl`, the template's {{ack}});
 * the link is followed on the real web server: GET only asks, POST
 * acknowledges and the site log says which action's link it was; altered,
 * expired and stale links get a clear error; a cross-site POST is refused;
 * the key survives a restart and a rotation ends every link.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { request as httpRequest } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSite, webSiteView } from '../../src/wiring.ts';
import type { Site } from '../../src/site.ts';
import { FakeClock } from '../../src/engine/clock.ts';
import { WebService } from '../../src/web/server.ts';
import { WEB_MIGRATIONS } from '../../src/web/sessions.ts';
import { OUTBOX_MIGRATIONS } from '../../src/actions/outbox/store.ts';
import { createOutbox } from '../../src/actions/outbox/site.ts';
import { AckLinks, ACK_LINK_TTL } from '../../src/ops/ack-link.ts';
import { startReceiver, type Receiver } from '../servers/http-receiver.ts';
import { freePort, tempDir } from '../servers/common.ts';
import { outboxOf, remote } from '../helpers/notify-site.ts';
import { Agent, decodeHtml, fastHash } from '../web/helpers.ts';

const T0 = Date.UTC(2026, 0, 14, 5, 0, 0);
const HOUR = 3_600_000;

interface Got {
  status: number;
  body: string;
}

function call(url: string, method: 'GET' | 'POST', headers: Record<string, string> = {}): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(url), { method, headers: { Accept: 'text/html', ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: decodeHtml(body) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Running {
  site: Site;
  url: string;
  rx: Receiver;
  clock: FakeClock;
  dir: string;
  web: WebService;
}

async function start(o: { dir?: string; clock?: FakeClock; rx?: Receiver; port?: number } = {}): Promise<Running> {
  const clock = o.clock ?? new FakeClock(T0);
  const rx = o.rx ?? (await startReceiver({ now: () => clock.now() }));
  if (!o.rx) cleanups.push(() => rx.close());
  let dir = o.dir;
  if (!dir) {
    const t = tempDir('sw-acklink-');
    cleanups.push(() => t.cleanup());
    dir = t.dir;
  }
  const port = o.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const path = join(dir, 'site.json');
  writeFileSync(
    path,
    JSON.stringify({
      webui: { name: 'HQ', hostname: '127.0.0.1', port, users: { admin: await fastHash('admin-pass-1') } },
      notifications: { url },
      actions: {
        hook: { type: 'webhook', options: { url: `${rx.url}/hook` } },
        chat: { type: 'webhook', options: { url: `${rx.url}/chat`, template: { body: 'web is {{state}}: ack {{ack}}' } } },
      },
      checks: { web: { type: 'remote', subType: 'https', options: {}, actions: ['hook', 'chat'] } },
    }),
  );
  const site = await openSite({
    configPath: path,
    clock,
    dbPath: join(dir, 'site.db'),
    migrations: [WEB_MIGRATIONS, OUTBOX_MIGRATIONS],
    notifier: createOutbox,
  });
  const web = new WebService(webSiteView(site));
  site.use(web);
  await site.start();
  let stopped = false;
  cleanups.push(async () => {
    if (!stopped) await site.stop();
  });
  const stop = site.stop.bind(site);
  site.stop = async () => {
    stopped = true;
    await stop();
  };
  return { site, url, rx, clock, dir, web };
}

/** Fails `web` and returns the payloads the two actions were sent. */
async function fail(r: Running): Promise<{ hook: Record<string, unknown>; chat: Record<string, unknown> }> {
  r.site.applyRemote('web', remote(false, r.clock.now()));
  r.site.applyRemote('web', remote(true, r.clock.now()));
  await outboxOf(r.site).idle();
  await r.rx.waitFor(4);
  const last = (p: string) => JSON.parse(r.rx.requests.filter((q) => q.path === p).at(-1)!.body) as Record<string, unknown>;
  return { hook: last('/hook'), chat: last('/chat') };
}

describe('one-click acknowledgement links', () => {
  it('a failure carries a signed link per action; GET asks, POST acknowledges and the log says via which action', async () => {
    const r = await start();
    const { hook, chat } = await fail(r);
    const link = String(hook.ackUrl);
    expect(link.startsWith(`${r.url}/ack/v1.`)).toBe(true);
    // the template's {{ack}} is the chat action's own link, not the hook's
    const chatLink = /ack (\S+)$/.exec(String(chat.text))?.[1] ?? '';
    expect(chatLink.startsWith(`${r.url}/ack/v1.`)).toBe(true);
    expect(chatLink).not.toBe(link);
    // a passing notification has none
    expect(JSON.parse(r.rx.requests[0].body)).not.toHaveProperty('ackUrl');

    const asked = await call(link, 'GET');
    expect(asked.status).toBe(200);
    expect(asked.body).toContain('Acknowledge web?');
    expect(asked.body).toMatch(/<form method="post" action="\/ack\/v1\.[^"]+"/);
    expect(r.site.ops.ack('web')).toBeNull(); // GET changes nothing

    // a POST a browser marks as cross-site is refused even with the token
    expect((await call(link, 'POST', { 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
    expect(r.site.ops.ack('web')).toBeNull();

    const done = await call(link, 'POST', { 'Sec-Fetch-Site': 'same-origin' });
    expect(done.status).toBe(200);
    expect(done.body).toContain('The failure of web is acknowledged');
    expect(r.site.ops.ack('web')).toMatchObject({ by: 'via link from hook' });
    expect(r.site.siteLog.all().some((l) => l.endsWith('web acknowledged via link from hook'))).toBe(true);

    // followed again: it says so, and changes nothing
    const again = await call(chatLink, 'GET');
    expect(again.body).toMatch(/Already acknowledged.*acknowledged via link from hook at/s);
    expect((await call(chatLink, 'POST')).body).toContain('was already acknowledged');
    expect(r.site.ops.ack('web')).toMatchObject({ by: 'via link from hook' });
  });

  it('altered, expired and stale links get a clear error and acknowledge nothing', async () => {
    const r = await start();
    const link = String((await fail(r)).hook.ackUrl);
    const [head, body, sig] = link.split('/ack/')[1].split('.');
    const base = `${r.url}/ack/`;
    // another check's name under the same signature; a changed signature; garbage; a huge token
    const other = Buffer.from(JSON.stringify(['db', ...(JSON.parse(Buffer.from(body, 'base64url').toString()) as unknown[]).slice(1)])).toString('base64url');
    const flipped = `${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const bad of [`${head}.${other}.${sig}`, `${head}.${body}.${flipped}`, 'nonsense', 'v1.x'.repeat(600)]) {
      for (const method of ['GET', 'POST'] as const) {
        const got = await call(base + bad, method);
        expect(got.status).toBe(400);
        expect(got.body).toContain('This acknowledgement link is not valid');
      }
    }
    expect(r.site.ops.ack('web')).toBeNull();

    // a new failure episode: the old link is stale
    await r.clock.advanceTo(r.clock.now() + 60_000);
    r.site.applyRemote('web', remote(false, r.clock.now()));
    const over = await call(link, 'POST');
    expect(over.status).toBe(410);
    expect(over.body).toContain('The failure of web this link was sent for is over');
    r.site.applyRemote('web', remote(true, r.clock.now()));
    expect((await call(link, 'GET')).body).toContain('it has failed again since');
    expect(r.site.ops.ack('web')).toBeNull();

    // the new failure's link works until it expires, a day after it was sent
    await outboxOf(r.site).idle();
    await r.rx.waitFor(6);
    const fresh = String((JSON.parse(r.rx.requests.filter((q) => q.path === '/hook').at(-1)!.body) as { ackUrl: string }).ackUrl);
    expect((await call(fresh, 'GET')).status).toBe(200);
    await r.clock.advanceTo(r.clock.now() + ACK_LINK_TTL + 1000);
    const late = await call(fresh, 'POST');
    expect(late.status).toBe(410);
    expect(late.body).toContain('This acknowledgement link for web has expired');
    expect(r.site.ops.ack('web')).toBeNull();
  });

  it('the key is kept in the site database across a restart', async () => {
    const r1 = await start();
    const link = String((await fail(r1)).hook.ackUrl);
    const port = Number(new URL(r1.url).port);
    await r1.site.stop();
    const r2 = await start({ dir: r1.dir, clock: r1.clock, rx: r1.rx, port });
    await r1.clock.advanceTo(r1.clock.now() + 2 * HOUR);
    expect((await call(link, 'POST')).body).toContain('The failure of web is acknowledged');
    expect(r2.site.ops.ack('web')).toMatchObject({ by: 'via link from hook' });
  });

  it('an admin replaces the key from the config page: earlier links stop working, the log says who', async () => {
    const r = await start();
    const link = String((await fail(r)).hook.ackUrl);
    const a = new Agent(r.web.app!);
    expect((await a.post('/config/ack-links/rotate')).status).toBe(401); // signed out
    expect((await a.login('admin', 'admin-pass-1')).status).toBe(303);
    expect(decodeHtml(await a.page('/config'))).toContain('Replace the link key');
    expect((await a.post('/config/ack-links/rotate', {}, { csrf: null })).status).toBe(403); // no CSRF token
    expect((await call(link, 'GET')).status).toBe(200);
    expect((await a.post('/config/ack-links/rotate')).status).toBe(303);
    expect((await call(link, 'GET')).body).toContain('This acknowledgement link is not valid');
    expect(r.site.siteLog.all().some((l) => l.endsWith('acknowledgement link key replaced by admin: links sent before no longer work'))).toBe(true);
  });
});

describe('the link key', () => {
  it('is made once, verifies what it signed, and a rotation ends every earlier link', () => {
    const t = tempDir('sw-ackkey-');
    try {
      let now = T0;
      const db = new Database(join(t.dir, 'k.db'));
      const a = new AckLinks(db, () => now, false);
      const claim = { check: 'web', episode: T0, action: 'hook', expires: T0 + HOUR };
      const tok = a.sign(claim)!;
      expect(a.verify(tok)).toEqual({ ok: true, claim });
      // another instance on the same database: the same key
      expect(new AckLinks(db, () => now, false).verify(tok)).toEqual({ ok: true, claim });
      // read-only: verifies with the stored key, never makes one
      expect(new AckLinks(db, () => now, true).verify(tok).ok).toBe(true);
      expect(new AckLinks(new Database(':memory:'), () => now, true).sign(claim)).toBeNull();
      now = T0 + HOUR + 1;
      expect(a.verify(tok)).toMatchObject({ ok: false, error: expect.stringContaining('expired') });
      now = T0;
      expect(a.rotate()).toBe(true);
      expect(a.verify(tok)).toMatchObject({ ok: false, error: expect.stringContaining('not valid') });
      db.close();
    } finally {
      t.cleanup();
    }
  });
});
