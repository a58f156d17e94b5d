/**
 * Status pages through the web app (issue 22): a public page read without a
 * session shows only what its author chose (labels, not check names or
 * hosts), 90 daily bars with the day's uptime, the incidents operators post;
 * a private page needs a session; viewers cannot post or edit; the Atom feed
 * and the JSON endpoint carry the incidents without their authors.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { Agent, PASSWORDS, fastHash, webSite, type TestSite } from './helpers.ts';

const DAY = 86_400_000;
let t: TestSite;
const anon = (): Agent => new Agent(t.web, '10.7.0.1');
let olly: Agent;
let vera: Agent;

beforeAll(async () => {
  const doc = {
    webui: {
      name: 'Test Site',
      hostname: '127.0.0.1',
      port: 1,
      cert: null,
      key: null,
      users: { admin: await fastHash(PASSWORDS.admin), olly: await fastHash(PASSWORDS.olly), vera: await fastHash(PASSWORDS.vera) },
      roles: { vera: 'viewer', olly: 'operator' },
    },
    scheduler: { jitter: 0 },
    checks: {
      'nas-disk-01.internal': { type: 'disk', options: { volume: '/', level: 100 } },
      ram: { type: 'memory', options: { level: 100 } },
    },
    statusPages: [
      {
        slug: 'pub',
        title: 'Example services',
        description: 'What we run',
        public: true,
        groups: [{ name: 'Storage', checks: [{ check: 'nas-disk-01.internal', label: 'File storage' }, 'ram'] }],
      },
      { slug: 'inside', title: 'Internal', groups: [{ name: 'All', checks: ['ram'] }] },
    ],
  };
  t = await webSite({ doc });
  // two days ago: 10 runs, 5 failed; yesterday: 4 passing runs
  const now = t.clock.now();
  const day0 = Math.floor(now / DAY) * DAY;
  t.site.store.appendRuns('nas-disk-01.internal', [
    ...Array.from({ length: 10 }, (_, i) => ({ t: day0 - 2 * DAY + i * 60_000, fail: i < 5, durationMs: 12, level: null, softFail: null, metrics: [] })),
    ...Array.from({ length: 4 }, (_, i) => ({ t: day0 - DAY + i * 60_000, fail: false, durationMs: 34, level: null, softFail: null, metrics: [] })),
  ]);
  await t.site.runNow('nas-disk-01.internal');
  await t.site.runNow('ram');
  olly = new Agent(t.web, '10.7.0.2');
  await olly.login('olly', PASSWORDS.olly);
  vera = new Agent(t.web, '10.7.0.3');
  await vera.login('vera', PASSWORDS.vera);
});
afterAll(() => t.close());

describe('a public status page', () => {
  it('is readable signed out and shows labels, bars and the banner, never the check name', async () => {
    const res = await anon().get('/status/pub');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Example services');
    expect(html).toContain('All systems operational');
    expect(html).toContain('File storage');
    expect(html).not.toContain('nas-disk-01');
    expect(html).not.toMatch(/style=/);
    const bars = [...html.matchAll(/<rect x="(\d+)" y="0" width="(\d+)" height="20" class="ub-(\w+)"><title>([^<]*)<\/title>/g)].map(
      (m) => [Number(m[1]), Number(m[2]), m[3], m[4]] as const,
    );
    // the disk: 87 days without data as one rect, the 50 % day, the passing day, today; then the memory check
    expect(bars.slice(0, 4).map((b) => b.slice(0, 3))).toEqual([
      [0, 347, 'none'],
      [348, 3, 'down'],
      [352, 3, 'up'],
      [356, 3, 'up'],
    ]);
    expect(bars[0][3]).toMatch(/^\d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d: no data$/);
    expect(bars[1][3]).toMatch(/: 50\.00 % of 10 runs$/);
    expect(bars[2][3]).toMatch(/: 100 % of 4 runs$/);
    expect(bars.slice(4).map((b) => b.slice(0, 3))).toEqual([
      [0, 355, 'none'],
      [356, 3, 'up'],
    ]);
    // 90 days in all, for each check
    expect(html.match(/viewBox="0 0 360 20"/g)).toHaveLength(2);
  });

  it('a private page sends a visitor to sign in and shows to a viewer', async () => {
    const res = await anon().get('/status/inside');
    expect(res.status).toBe(302);
    expect(res.headers.get('Location')).toMatch(/^\/login/);
    expect((await anon().request('/status/inside/summary.json')).status).toBe(401);
    expect((await vera.get('/status/inside')).status).toBe(200);
    expect((await anon().get('/status/nope')).status).toBe(404);
  });

  it('a viewer cannot post an incident, edit or create a page', async () => {
    await vera.page('/status-pages/pub');
    const before = readFileSync(t.path, 'utf8');
    expect((await vera.post('/status-pages/pub/incidents', { title: 'Fake', impact: 'major', status: 'investigating', body: 'x' })).status).toBe(403);
    expect((await vera.post('/status-pages/pub', { slug: 'pub', title: 'Mine', groups: '# A' })).status).toBe(403);
    expect((await vera.post('/status-pages', { slug: 'v', title: 'V', groups: '# A' })).status).toBe(403);
    expect(readFileSync(t.path, 'utf8')).toBe(before);
    expect(await (await anon().get('/status/pub')).text()).not.toContain('Fake');
    // and sees no form to do it
    expect(await vera.page('/status-pages/pub')).not.toContain('Publish incident');
  });

  it('shows an incident an operator posts, its updates, in the feed and the JSON without authors', async () => {
    await olly.page('/status-pages/pub');
    const res = await olly.post('/status-pages/pub/incidents', {
      title: 'Mail delays',
      impact: 'major',
      status: 'investigating',
      body: 'Messages <b>queue</b> up',
    });
    expect(res.status).toBe(303);
    let html = await (await anon().get('/status/pub')).text();
    expect(html).toContain('Major outage');
    expect(html).toContain('Mail delays');
    expect(html).toContain('Messages &lt;b&gt;queue&lt;/b&gt; up');
    expect(html).not.toContain('olly');

    const json = (await (await anon().request('/status/pub/summary.json')).json()) as {
      status: { level: string };
      incidents: { id: number; updates: unknown[] }[];
    };
    expect(json.status.level).toBe('major');
    expect(json.incidents).toHaveLength(1);
    expect(JSON.stringify(json)).not.toContain('olly');
    expect(JSON.stringify(json)).not.toContain('nas-disk');

    await t.clock.advance(60_000);
    await olly.page('/status-pages/pub');
    expect((await olly.post(`/status-pages/pub/incidents/${json.incidents[0].id}`, { status: 'resolved', body: 'All mail delivered' })).status).toBe(303);
    html = await (await anon().get('/status/pub')).text();
    expect(html).toContain('All systems operational');
    expect(html).toMatch(/Past incidents[\s\S]*Mail delays[\s\S]*All mail delivered/);

    const feed = await (await anon().request('/status/pub/feed.atom')).text();
    expect(feed).toMatch(/^<\?xml/);
    expect(feed).toContain('<title>Resolved: Mail delays</title>');
    expect(feed).toContain('All mail delivered');
    expect(feed).not.toContain('olly');
  });

  it('an operator creates a page from the form; it is saved in the site file', async () => {
    await olly.page('/status-pages/new');
    const res = await olly.post('/status-pages', { slug: 'team', title: 'Team page', public: 'on', responseTime: 'on', groups: '# Core\nram => Memory' });
    expect(res.status).toBe(303);
    const file = JSON.parse(readFileSync(t.path, 'utf8')) as { statusPages: unknown[] };
    expect(file.statusPages[2]).toEqual({
      slug: 'team',
      title: 'Team page',
      description: '',
      logo: null,
      public: true,
      responseTime: true,
      groups: [{ name: 'Core', checks: [{ check: 'ram', label: 'Memory' }] }],
    });
    expect(await (await anon().get('/status/team')).text()).toContain('Memory');
    const bad = await olly.post('/status-pages', { slug: 'Bad Slug', title: 'x', groups: '# A' });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toMatch(/lower-case letters/);
  });

  it('the page is kept, but a check turning FAIL shows at once; a browser asking for brotli gets it compressed', async () => {
    const level = (n: number) =>
      t.site.mutate((doc) => {
        const checks = doc.checks as Record<string, Record<string, unknown>>;
        return { ...doc, checks: { ...checks, ram: { ...checks.ram, options: { level: n } } } };
      });
    expect((await level(0)).ok).toBe(true);
    // built and kept while the memory check still passes
    expect(await (await anon().get('/status/pub')).text()).toContain('All systems operational');
    // the run that turns it FAIL drops the kept page
    await t.site.runNow('ram');
    expect(await (await anon().get('/status/pub')).text()).toMatch(/Partial outage|Major outage/);
    const br = await anon().get('/status/pub', { 'Accept-Encoding': 'br' });
    expect(br.headers.get('Content-Encoding')).toBe('br');
    expect(br.headers.get('Vary')).toMatch(/Accept-Encoding/);
    const { brotliDecompressSync } = await import('node:zlib');
    expect(brotliDecompressSync(Buffer.from(await br.arrayBuffer())).toString()).toMatch(/Partial outage|Major outage/);
    expect((await level(100)).ok).toBe(true);
    await t.site.runNow('ram');
    expect(await (await anon().get('/status/pub')).text()).toContain('All systems operational');
  });

  it('a browser revalidating an unchanged page gets a 304 without the body; a change sends the new page', async () => {
    const first = await anon().get('/status/pub', { 'Accept-Encoding': 'br' });
    const etag = first.headers.get('ETag');
    expect(etag).toMatch(/^W\/"[\w-]+"$/);
    expect(first.headers.get('Cache-Control')).toBe('no-cache');
    // the same validator for every coding (weak), so a plain request revalidates too
    expect((await anon().get('/status/pub')).headers.get('ETag')).toBe(etag);
    const again = await anon().get('/status/pub', { 'Accept-Encoding': 'br', 'If-None-Match': etag! });
    expect(again.status).toBe(304);
    expect(again.headers.get('ETag')).toBe(etag);
    expect((await again.arrayBuffer()).byteLength).toBe(0);
    // a signed-in reader's page (it has the manage link) is never kept by shared caches
    expect((await vera.get('/status/pub')).headers.get('Cache-Control')).toBe('private, no-cache');
    // an incident changes the page: the old validator no longer matches
    await olly.post('/status-pages/pub/incidents', { title: 'Revalidation check', body: 'Looking', impact: 'minor', status: 'investigating' });
    const changed = await anon().get('/status/pub', { 'If-None-Match': etag! });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('ETag')).not.toBe(etag);
    expect(await changed.text()).toContain('Revalidation check');
  });
});
