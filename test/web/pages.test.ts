/**
 * What every response carries and what no page may contain: the security
 * headers of spec §8.1 everywhere; user strings escaped on every page; no
 * inline script or style (the CSP forbids them); hashed static files with
 * long caching and SRI; /status exactly in fletchck's shape (spec §8.7).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Agent, PASSWORDS, webSite, type TestSite } from './helpers.ts';
import { loadAssets, iconCss } from '../../src/web/assets.ts';
import { readFileSync } from 'node:fs';

const EVIL = '<img src=x onerror=alert(1)>';
const EVIL_ACTION = '"><script>alert(2)</script>';
const enc = encodeURIComponent;

let t: TestSite;
let a: Agent;
beforeAll(async () => {
  t = await webSite({
    actions: { [EVIL_ACTION]: { type: 'log' } },
    checks: {
      [EVIL]: { type: 'disk', options: { volume: '/nonexistent/<b>x</b>' }, actions: [EVIL_ACTION] },
      seq: { type: 'sequence', trigger: { cron: { minute: '*/5' } }, options: { checks: [EVIL, 'ok'] } },
      ok: { type: 'cpu', options: { level: 100 }, depends: [EVIL] },
    },
  });
  // a user whose name is markup too
  await t.site.mutate((doc) => {
    const w = doc.webui as { users: Record<string, string>; roles: Record<string, string> };
    return { ...doc, webui: { ...w, users: { ...w.users, [EVIL]: w.users.olly }, roles: { ...w.roles, [EVIL]: 'viewer' } } };
  });
  await t.site.runNow(EVIL); // fails: its log line holds the volume path with markup
  await t.site.runNow('seq');
  t.site.warn(`a log line with ${EVIL}`);
  a = new Agent(t.web);
  await a.login('admin', PASSWORDS.admin);
});
afterAll(async () => {
  await t.close();
});

const PAGES = [
  '/',
  '/checks',
  `/check/${enc(EVIL)}`,
  '/check/seq',
  '/check/ok',
  '/check',
  '/actions',
  `/action/${enc(EVIL_ACTION)}`,
  '/users',
  `/user/${enc(EVIL)}`,
  '/config',
  '/config/raw',
  '/log',
  '/account',
  `/check/${enc(EVIL)}/delete`,
  `/clone/${enc(EVIL)}`,
  `/move/${enc(EVIL)}?m=up`,
  `/check/${enc(EVIL)}?run=y`,
  `/checks?q=${enc(EVIL)}`,
  `/ui/trigger?trigger=${enc(`${EVIL} min`)}`,
  `/ui/check-fields?checkType=${enc(EVIL)}`,
];

describe('escaping', () => {
  it('a check, action, user and log line made of markup render as text on every page', async () => {
    for (const p of PAGES) {
      const res = await a.get(p);
      const html = await res.text();
      expect(res.status, p).toBeLessThan(400);
      expect(html, p).not.toContain('<img src=x');
      expect(html, p).not.toContain('<script>alert');
      expect(html, p).not.toContain('<b>x</b>');
    }
    const list = await (await a.get('/checks')).text();
    expect(list).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('the live fragments escape too', async () => {
    const { fragment } = await import('../../src/web/render.tsx');
    for (const view of [{ kind: 'home' }, { kind: 'checks', query: '' }, { kind: 'check', name: EVIL }, { kind: 'log' }] as const) {
      const html = await fragment(
        t.site,
        t.web.deps,
        view,
        { csrf: 'x', operate: true },
        { states: new Set([EVIL, 'seq']), ran: new Set([EVIL]), lines: [EVIL] },
      );
      expect(html.length, view.kind).toBeGreaterThan(0);
      expect(html, view.kind).not.toContain('<img src=x');
    }
  });
});

/** The attribute names of every tag (escaped text is never a tag). */
function attributeNames(html: string): string[] {
  const out: string[] = [];
  for (const tag of html.matchAll(/<[a-zA-Z][\w-]*((?:\s+[^\s=>/]+(?:="[^"]*")?)*)\s*\/?>/g)) {
    for (const attr of tag[1].matchAll(/\s+([^\s=>/]+)(?:="[^"]*")?/g)) out.push(attr[1].toLowerCase());
  }
  return out;
}

describe('headers and markup', () => {
  it('every response carries the security headers, static files and errors included', async () => {
    const assets = loadAssets();
    const paths = [...PAGES, '/status', assets.htmx.url, assets.css.url, '/s/missing.css', '/no/such/page', '/login'];
    for (const p of paths) {
      const res = await a.get(p);
      const h = res.headers;
      expect(h.get('Content-Security-Policy'), p).toBe(
        "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
      );
      expect(h.get('X-Frame-Options'), p).toBe('deny');
      expect(h.get('X-Content-Type-Options'), p).toBe('nosniff');
      expect(h.get('X-Permitted-Cross-Domain-Policies'), p).toBe('none');
      expect(h.get('Referrer-Policy'), p).toBe('no-referrer');
      expect(h.get('Cross-Origin-Embedder-Policy'), p).toBe('require-corp');
      expect(h.get('Cross-Origin-Opener-Policy'), p).toBe('same-origin');
      expect(h.get('Cross-Origin-Resource-Policy'), p).toBe('same-origin');
      expect(h.get('Server'), p).toBeNull();
      await res.arrayBuffer();
    }
  });

  it('no page has an inline script, an inline style or an inline event handler', async () => {
    for (const p of [...PAGES, '/login']) {
      const html = await (await (p === '/login' ? new Agent(t.web) : a).get(p)).text();
      expect(html, p).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      const attrs = attributeNames(html);
      expect(attrs.length, p).toBeGreaterThan(0);
      expect(
        attrs.filter((n) => n === 'style' || n.startsWith('on') || n.startsWith('hx-on')),
        p,
      ).toEqual([]);
      expect(html, p).not.toMatch(/(href|src|action)="javascript:/i);
    }
  });

  it('pages load htmx, its SSE extension and app.js by hashed URL with SRI, and configure htmx for the CSP', async () => {
    const html = await (await a.get('/checks')).text();
    const assets = loadAssets();
    for (const x of [assets.htmx, assets.sse, assets.app]) {
      expect(html).toContain(`<script src="${x.url}" integrity="${x.integrity}">`);
      expect(x.url).toMatch(/^\/s\/[\w-]+\.[0-9a-f]{12}\.js$/);
    }
    expect(html).toContain('<meta name="htmx-config" content="{&quot;includeIndicatorCSS&quot;:false,&quot;extensions&quot;:&quot;sse,siteward&quot;');
    expect(html).toContain('hx-sse:connect="/events?view=checks"');
  });

  it('every icon in icons.svg gets its CSS class, and a symbol written another way fails loudly', () => {
    const sprite = readFileSync(new URL('../../views/static/icons.svg', import.meta.url), 'utf8');
    const ids = [...sprite.matchAll(/<symbol\b[^>]*\bid="([^"]+)"/g)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThan(10);
    const css = loadAssets().css.body.toString('utf8');
    for (const id of ids) expect(css, id).toMatch(new RegExp(`\\.i-${id} \\{ --i: url\\("data:image/svg\\+xml,`));
    const odd = sprite.replace('<symbol id="pass" viewBox="0 0 16 16">', '<symbol viewBox="0 0 16 16" id="pass">');
    expect(() => iconCss(odd)).toThrow('icons.svg: 1 of');
  });

  it('static files are served with immutable caching; unknown and unhashed names are 404', async () => {
    const assets = loadAssets();
    const res = await new Agent(t.web).get(assets.htmx.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('Cache-Control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('Content-Type')).toMatch(/^text\/javascript/);
    expect((await res.text()).length).toBeGreaterThan(10_000);
    expect((await new Agent(t.web).get('/s/htmx.js')).status).toBe(404);
    expect((await new Agent(t.web).get('/s/app.000000000000.css')).status).toBe(404);
  });

  it('pages are not cached', async () => {
    expect((await a.get('/checks')).headers.get('Cache-Control')).toBe('no-store');
  });
});

describe('/status (spec §8.7)', () => {
  it('has exactly fletchck keys and values', async () => {
    const res = await a.get('/status');
    expect(res.headers.get('Content-Type')).toMatch(/^application\/json/);
    const s = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(s).sort()).toEqual(['checks', 'fail', 'info', 'inseqs', 'seqs']);
    expect(s.fail).toBe(true);
    const checks = s.checks as Record<string, Record<string, unknown>>;
    expect(Object.keys(checks).sort()).toEqual([EVIL, 'ok', 'seq'].sort());
    for (const c of Object.values(checks)) expect(Object.keys(c).sort()).toEqual(['checkType', 'failState', 'lastFail', 'lastPass', 'softFail', 'trigger']);
    expect(checks.seq).toMatchObject({ checkType: 'sequence', trigger: { cron: { minute: '*/5' } } });
    expect(checks.ok.trigger).toBeNull();
    expect(typeof checks.seq.failState).toBe('string');
    expect(checks[EVIL]).toMatchObject({ checkType: 'disk', failState: true, softFail: '', lastPass: '' });
    expect(s.seqs).toEqual({ seq: { [EVIL]: 1, ok: 1 } });
    expect(s.inseqs).toEqual({ [EVIL]: ['seq'], ok: ['seq'] });
    // the sequence is not counted; the failing disk check and the soft-failed ok are
    expect(s.info).toBe('2 checks in fail state');
  });
});
