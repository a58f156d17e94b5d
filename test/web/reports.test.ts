/**
 * Reports through the web UI and the API (fake clock, runs written to the
 * site's history store): the page shows uptime, outages and no data per
 * check and group; the CSV and JSON carry the same figures; the raw history
 * exports as CSV; a bad range is a clear 400; viewers may read, strangers
 * may not.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { siteTokens } from '../../src/api/tokens.ts';
import { Agent, PASSWORDS, webSite, withApi, type TestSite } from './helpers.ts';

const MIN = 60_000;
// the helper's clock: 1 Jan 2026 12:00 UTC; the runs: 10:00–11:59, root failing 10:30–10:44, ram silent 11:00–11:59
const T0 = Date.UTC(2026, 0, 1, 10);

let t: TestSite;
beforeEach(async () => {
  t = await webSite({ app: withApi });
  const run = (m: number, fail: boolean) => ({
    t: T0 + m * MIN,
    fail,
    durationMs: 5,
    level: fail ? '99%' : '50%',
    softFail: null,
    metrics: [{ name: 'used', value: fail ? 99 : 50, unit: '%' }],
  });
  t.site.store.appendRuns(
    'root',
    Array.from({ length: 120 }, (_, m) => run(m, m >= 30 && m < 45)),
  );
  t.site.store.appendRuns(
    'ram',
    Array.from({ length: 60 }, (_, m) => run(m, false)),
  );
});
afterEach(async () => {
  await t.close();
});

describe('reports', () => {
  it('the page: per check and per group (a sequence), uptime, outages, no data', async () => {
    const a = new Agent(t.web);
    await a.login('vera', PASSWORDS.vera); // a viewer may read reports
    const html = await a.page('/reports?from=2026-01-01&to=2026-01-01');
    expect(html).toContain('<h1>Uptime report</h1>');
    // root: 105 of 120 minutes up; 1 outage of 15 min
    expect(html).toMatch(
      /href="\/reports\/check\/root[^"]*">root<\/a><\/td><td data-label="Uptime" class="num">87\.500 %<\/td><td data-label="Outages" class="num">1<\/td><td data-label="Down for" class="num">15 min<\/td>/,
    );
    // ram: an hour of results, then silence: no data, uptime of what is known
    expect(html).toMatch(/>ram<\/a><\/td><td data-label="Uptime" class="num">100 %<\/td>.*?<td data-label="No data" class="num">11 h \(2×\)<\/td>/s);
    // the group "seq" (root and ram): down while root is down
    expect(html).toMatch(/>seq<\/a> <span class="muted">\(2 checks\)<\/span><\/td><td data-label="Uptime" class="num">87\.500 %<\/td>/);
  });

  it('one check: its outages and no-data periods', async () => {
    const a = new Agent(t.web);
    await a.login('vera', PASSWORDS.vera);
    const html = await a.page('/reports/check/root?from=2026-01-01&to=2026-01-01');
    expect(html).toContain(
      '<td data-label="Started">01 Jan 2026 10:30 UTC</td><td data-label="Ended">01 Jan 2026 10:45 UTC</td><td data-label="Length">15 min</td>',
    );
    expect(html).toContain('<td data-label="From">01 Jan 2026 00:00 UTC</td><td data-label="To">01 Jan 2026 10:00 UTC</td>');
  });

  it('CSV and JSON carry the same figures; a bad range is a 400 with a sentence', async () => {
    const a = new Agent(t.web);
    await a.login('vera', PASSWORDS.vera);
    const csv = await a.get('/reports.csv?month=2026-01');
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="siteward-report-2026-01.csv"');
    const lines = (await csv.text()).split('\r\n');
    expect(lines.find((l) => l.startsWith('check,root,'))).toMatch(/,87\.500,1,15\.0,15\.0,15\.0,/);
    const json = (await (await a.get('/reports.json?month=2026-01')).json()) as {
      checks: { name: string; uptime: number; outages: unknown[]; mttrSeconds: number }[];
    };
    expect(json.checks.find((c) => c.name === 'root')).toMatchObject({ uptime: 87.5, mttrSeconds: 900 });
    const bad = await a.get('/reports?month=2026-13');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('is not a month: use YYYY-MM');
  });

  it('the API: GET /api/v1/reports with a read token', async () => {
    const { secret } = siteTokens(t.site).create({ name: 'r', scope: 'read' });
    const res = await t.web.app.request('/api/v1/reports?from=2026-01-01&to=2026-01-01&check=root', { headers: { Authorization: `Bearer ${secret}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { groups: unknown[]; checks: { name: string; uptime: number; outages: { start: string; end: string }[] }[] };
    expect(body.groups).toEqual([]);
    expect(body.checks).toHaveLength(1);
    expect(body.checks[0].outages).toEqual([{ start: '2026-01-01T10:30:00.000Z', end: '2026-01-01T10:45:00.000Z', ongoing: false }]);
    expect((await t.web.app.request('/api/v1/reports')).status).toBe(401);
    const unknown = await t.web.app.request('/api/v1/reports?check=nope', { headers: { Authorization: `Bearer ${secret}` } });
    expect(unknown.status).toBe(404);
  });

  it('the raw history of a check as CSV, oldest first', async () => {
    const a = new Agent(t.web);
    await a.login('vera', PASSWORDS.vera);
    const res = await a.get('/check/root/history.csv?from=2026-01-01&to=2026-01-01');
    expect(res.status).toBe(200);
    const lines = (await res.text()).trim().split('\r\n');
    expect(lines[0]).toBe('time,result,run_ms,level,soft_fail,metrics');
    expect(lines).toHaveLength(121);
    expect(lines[1]).toBe('2026-01-01T10:00:00+00:00,PASS,5,50%,,used=50%');
    expect(lines[31]).toBe('2026-01-01T10:30:00+00:00,FAIL,5,99%,,used=99%');
  });

  it('not signed in: the login page, never the figures', async () => {
    const a = new Agent(t.web);
    for (const p of ['/reports', '/reports.csv', '/reports.json', '/check/root/history.csv']) {
      const res = await a.get(p);
      expect([302, 401]).toContain(res.status);
    }
  });

  describe('per status page', () => {
    const addPage = async (pub: boolean): Promise<void> => {
      const r = await t.site.mutate((doc) => ({
        ...doc,
        statusPages: [
          {
            slug: 'main',
            title: 'Main services',
            public: pub,
            groups: [
              { name: 'Storage', checks: ['root', { check: 'root', label: 'again' }] },
              { name: 'Memory', checks: ['ram'] },
            ],
          },
        ],
      }));
      if (!r.ok) throw new Error('status page not added');
    };

    it("page, CSV and JSON: the page's checks, its groups as groups; linked from the page for signed-in users", async () => {
      await addPage(true);
      const a = new Agent(t.web);
      await a.login('vera', PASSWORDS.vera);
      const html = await a.page('/status/main/report?from=2026-01-01&to=2026-01-01');
      expect(html).toContain('<h1>Uptime report: Main services</h1>');
      expect(html).toMatch(/<td data-label="Group">Storage <span class="muted">\(1 checks\)<\/span><\/td><td data-label="Uptime" class="num">87\.500 %<\/td>/);
      expect(html).toMatch(/<td data-label="Group">Memory <span class="muted">\(1 checks\)<\/span><\/td><td data-label="Uptime" class="num">100 %<\/td>/);
      expect(html).not.toContain('>lone</a>'); // not on the page
      expect(html).toContain('href="/status/main/report.csv?from=2026-01-01&amp;to=2026-01-01"');
      const csv = await a.get('/status/main/report.csv?month=2026-01');
      expect(csv.headers.get('content-disposition')).toBe('attachment; filename="main-report-2026-01.csv"');
      const lines = (await csv.text()).split('\r\n');
      expect(lines.find((l) => l.startsWith('check,root,'))).toMatch(/,87\.500,1,15\.0,15\.0,15\.0,/);
      expect(lines.some((l) => l.startsWith('check,lone,'))).toBe(false);
      const json = (await (await a.get('/status/main/report.json?month=2026-01')).json()) as {
        groups: { name: string; members: string[] }[];
        checks: { name: string }[];
      };
      expect(json.groups.map((g) => [g.name, g.members])).toEqual([
        ['Storage', ['root']],
        ['Memory', ['ram']],
      ]);
      expect(json.checks.map((c) => c.name)).toEqual(['root', 'ram']);
      expect(await a.page('/status/main')).toContain('href="/status/main/report"');
      expect((await a.get('/status/nope/report')).status).toBe(404);
      // the API: ?page=<slug>
      const { secret } = siteTokens(t.site).create({ name: 'r', scope: 'read' });
      const api = await t.web.app.request('/api/v1/reports?month=2026-01&page=main', { headers: { Authorization: `Bearer ${secret}` } });
      expect(((await api.json()) as { groups: { name: string }[] }).groups.map((g) => g.name)).toEqual(['Storage', 'Memory']);
      expect((await t.web.app.request('/api/v1/reports?page=nope', { headers: { Authorization: `Bearer ${secret}` } })).status).toBe(404);
    });

    it('a public page shows strangers no report link, and the report needs a sign-in', async () => {
      await addPage(true);
      const a = new Agent(t.web);
      const page = await a.get('/status/main');
      expect(page.status).toBe(200);
      expect(await page.text()).not.toContain('/status/main/report');
      for (const p of ['/status/main/report', '/status/main/report.csv', '/status/main/report.json']) expect([302, 401]).toContain((await a.get(p)).status);
    });
  });
});
