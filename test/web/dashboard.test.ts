/**
 * The checks list and home at a glance (issue 22), in process: heartbeat
 * bars, uptime with "no data", failing checks first, filter chips that are
 * plain links with the query in the URL, page numbers above and below, one
 * action form per page (no form or CSRF token per row), the fail banner,
 * and compressed responses (brotli, gzip; never the event stream).
 */
import { describe, it, expect, afterEach } from 'vitest';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { Agent, PASSWORDS, webSite, type TestSite } from './helpers.ts';
import { cid } from '../../src/web/model.ts';
import { chooseEncoding } from '../../src/web/compress.ts';
import { beats, relative } from '../../src/web/glance.ts';
import { Beats } from '../../views/partials/check-row.tsx';
import { percentText } from '../../src/web/history.ts';
import { pageNumbers } from '../../views/pages/checks.tsx';
import { parseView, viewQuery } from '../../src/web/live.ts';
import { parseQuery, queryString } from '../../src/web/checklist.ts';
import { tagsOf } from '../../src/config/tags.ts';

let t: TestSite | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

const count = (s: string, needle: string | RegExp): number => (typeof needle === 'string' ? s.split(needle).length - 1 : (s.match(needle) ?? []).length);

describe('at a glance: pieces', () => {
  it('a gap between runs much longer than their usual spacing is shown as no data', () => {
    const min = 60_000;
    const runs = [0, 1, 2, 3, 200, 201].map((m) => ({ t: m * min, fail: m === 3, durationMs: 12, n: 1, fails: m === 3 ? 1 : 0 }));
    const all = beats(runs, 'UTC');
    // a bar of 24 slots, a short history padded on the left
    expect(all).toHaveLength(24);
    const b = all.filter((x) => x.kind !== 'empty');
    expect(all.slice(0, 17).every((x) => x.kind === 'empty')).toBe(true);
    expect(b.map((x) => x.kind)).toEqual(['pass', 'pass', 'pass', 'fail', 'gap', 'pass', 'pass']);
    expect(b[4].title).toMatch(/no data for 3 h 17 min$/);
    expect(b[0].title).toMatch(/: pass, 12 ms$/);
  });

  it('a run of equal blocks is one element as wide as its blocks, its title every run on a line of its own', () => {
    const min = 60_000;
    const runs = [0, 1, 2, 3, 200, 201].map((m) => ({ t: m * min, fail: m === 3, durationMs: 12, n: 1, fails: m === 3 ? 1 : 0 }));
    const all = beats(runs, 'UTC');
    const html = String(Beats({ g: { beats: all, summary: 'last 6 runs: 1 failed', uptime: [], responseMs: null } }));
    const els = [...html.matchAll(/<span class="beat ([a-z]+)(?: n(\d+))?"(?: title="([^"]*)")?><\/span>/g)].map((m) => [m[1], Number(m[2] ?? 1), m[3] ?? '']);
    expect(els.map(([k, n]) => `${k}×${n}`)).toEqual(['empty×17', 'pass×3', 'fail×1', 'gap×1', 'pass×2']);
    // every block is still there (24 in all) and every run keeps its time and detail on hover
    expect(els.reduce((s, e) => s + (e[1] as number), 0)).toBe(24);
    expect((els[1][2] as string).split('&#10;')).toEqual(['01 Jan 00:00: pass, 12 ms', '01 Jan 00:01: pass, 12 ms', '01 Jan 00:02: pass, 12 ms']);
    expect(els[2][2]).toBe('01 Jan 00:03: fail, 12 ms');
    expect(els[0][2]).toBe('');
  });

  it('uptime never rounds a failure up to 100 % and says "no data" without runs', () => {
    expect(percentText({ percent: null })).toBe('no data');
    expect(percentText({ percent: 100 })).toBe('100 %');
    expect(percentText({ percent: 99.9999 })).toBe('99.99 %');
    expect(percentText({ percent: 97.25 })).toBe('97.3 %');
  });

  it("an open /checks page's live view keeps its instance and tag filters", () => {
    const q = new URLSearchParams('view=checks&state=FAIL&instance=remote&tag=nas&per=200&page=2');
    expect(viewQuery(parseView((k) => q.get(k) ?? undefined))).toBe('view=checks&state=FAIL&instance=remote&tag=nas&per=200&page=2');
  });

  it('tags: the strings of options.tags, anything else ignored; ?tag= read (at most 256 characters, the schema limit) and written back', () => {
    expect(tagsOf({ tags: ['nas', 3, null, 'backup'] })).toEqual(['nas', 'backup']);
    expect(tagsOf({ tags: 'nas' })).toEqual([]);
    expect(tagsOf({})).toEqual([]);
    const q = (s: string): ReturnType<typeof parseQuery> => parseQuery((k) => new URLSearchParams(s).get(k) ?? undefined);
    expect(q('tag=nas&type=disk').tag).toBe('nas');
    expect(queryString(q('tag=nas&type=disk'))).toBe('type=disk&tag=nas');
    expect(q(`tag=${'x'.repeat(256)}`).tag).toHaveLength(256);
    expect(q(`tag=${'x'.repeat(257)}`).tag).toBe('');
    expect(queryString(q('tag='))).toBe('');
    // rows per page: 50, 100 (the default, not written) or 200; anything else is the default
    expect(q('per=50').per).toBe(50);
    expect(q('per=200').per).toBe(200);
    expect(queryString(q('per=200&page=3'))).toBe('per=200&page=3');
    expect(queryString(q('per=100'))).toBe('');
    for (const bad of ['', '1000', '75', 'x', '0x32', '50.0001']) expect(q(`per=${bad}`).per).toBe(100);
  });

  it('relative times and page numbers', () => {
    expect(relative(1000, 1000)).toBe('just now');
    expect(relative(0, 180_000)).toBe('3 min ago');
    expect(relative(7_200_000, 0)).toBe('in 2 h');
    expect(pageNumbers(1, 3)).toEqual([1, 2, 3]);
    expect(pageNumbers(10, 49)).toEqual([1, null, 8, 9, 10, 11, 12, null, 49]);
  });

  it('brotli is preferred, q=0 refuses, gzip is the fallback', () => {
    expect(chooseEncoding('gzip, deflate, br, zstd')).toBe('br');
    expect(chooseEncoding('gzip')).toBe('gzip');
    expect(chooseEncoding('br;q=0, gzip;q=0.5')).toBe('gzip');
    expect(chooseEncoding('identity')).toBeNull();
    expect(chooseEncoding(undefined)).toBeNull();
  });
});

describe('the checks page at a glance', () => {
  const failingDisk = { type: 'disk', options: { volume: '/', level: 0, hysteresis: 0 } };
  const passingDisk = { type: 'disk', options: { volume: '/', level: 100 } };

  it('failing checks first, bars and uptime per row, one action form, chips and pager as links', async () => {
    const checks: Record<string, unknown> = { seq: { type: 'sequence', options: { checks: ['m1', 'bad'] } }, m1: passingDisk, bad: failingDisk };
    for (let i = 0; i < 230; i++) checks[`c${String(i).padStart(3, '0')}`] = passingDisk;
    t = await webSite({ checks });
    await t.site.runNow('seq');
    await t.site.runNow('c000');
    const a = new Agent(t.web);
    await a.login('olly', PASSWORDS.olly);
    const page = await a.page('/checks');
    // the banner and the failing section come before any group
    expect(page).toMatch(/<div id="failbanner" class="banner on" role="status"><p><strong>2 checks failing\.<\/strong>/);
    const failingAt = page.indexOf('aria-label="failing checks"');
    expect(failingAt).toBeGreaterThan(0);
    expect(failingAt).toBeLessThan(page.indexOf('aria-label="sequence seq"'));
    expect(page).toContain(`id="r-f-${cid('bad')}"`);
    // one form for every row's actions, one CSRF field on the page besides sign-out
    expect(count(page, '<form id="acts"')).toBe(1);
    expect(count(page, 'name="_csrf"')).toBe(2);
    // 100 rows per page by default (?per= chooses 50, 100 or 200)
    expect(count(page, /<tr id="r-/g)).toBe(100);
    // the menu items are on the page once (app.js builds a row's menu from them when it opens); a row says which it offers
    expect(count(page, '<template id="row-menu">')).toBe(1);
    expect(count(page, 'form="acts"')).toBe(6);
    expect(count(page, /<details class="menu" id="r-[^"]*" data-name="[^"]*" data-acts="run pause (clone )?(up|up-off) (down|down-off)"/g)).toBe(99);
    // the failing section's row offers no moves; without script the menu holds Edit (the check's page)
    expect(page).toMatch(
      /data-name="bad" data-acts="run pause( clone)?"><summary[^>]*>Actions<span class="sr-only"> for bad<\/span><\/summary><div class="menu-items" hx-morph-skip-children=""><a class="btn" href="\/check\/bad">Edit<\/a><\/div><\/details>/,
    );
    // the menu is labelled with the check's name
    expect(page).toContain('Actions<span class="sr-only"> for c000</span>');
    // a heartbeat bar per row; a check that ran once has one passing beat, one never run none (a run of equal blocks is one element)
    expect(page).toMatch(
      new RegExp(
        `data-check="c000">[\\s\\S]*?aria-label="last run: all passed"><span class="beat empty n23"></span><span class="beat pass" title="[^"]+: pass, (&lt; 1|[0-9.]+) ms"></span></span>`,
      ),
    );
    expect(page).toMatch(new RegExp(`data-check="c001">[\\s\\S]*?aria-label="no runs yet"><span class="beat empty n24"></span></span>`));
    expect(page).toMatch(/<span class="up none" title="24 h: no runs"><span class="muted">24 h<\/span> no data<\/span>/);
    // pager above and below, with page numbers
    expect(count(page, '<nav class="pager"')).toBe(2);
    expect(page).toContain('<a aria-current="page" href="/checks">1</a>');
    expect(page).toContain('<a href="/checks?page=2" aria-label="page 2">2</a>');
    expect(page).toContain('<a href="/checks?page=3" aria-label="page 3">3</a>');
    expect(page).not.toContain('aria-label="page 4"');
    // rows per page: links beside the top pager, the current one marked
    expect(page).toMatch(
      /<div class="perpage" role="group" aria-labelledby="per-label"><span id="per-label" class="muted">Rows per page<\/span><a href="\/checks\?per=50" aria-label="50 rows per page">50<\/a><a href="\/checks" aria-current="true" aria-label="100 rows per page">100<\/a><a href="\/checks\?per=200" aria-label="200 rows per page">200<\/a><\/div>/,
    );
    // chips: plain links carrying the whole query
    expect(page).toContain('<a class="chip" href="/checks?state=FAIL">Failing 2</a>');
    const filtered = await a.page('/checks?state=FAIL&q=ba');
    expect(filtered).toContain('<a class="chip on" href="/checks?q=ba&amp;state=FAIL" aria-current="true">Failing 2</a>');
    expect(filtered).toContain('<input type="hidden" name="state" value="FAIL"/>');
    expect(count(filtered, /<tr id="r-/g)).toBe(1);
    // with a state filter there is no separate failing section
    expect(filtered).not.toContain('aria-label="failing checks"');
    // per=200: 200 rows, two pages; the choice is kept by the chips, the pager, the search form and the list's live reloads
    const big = await a.page('/checks?per=200');
    expect(count(big, /<tr id="r-/g)).toBe(200);
    expect(big).toContain('<a href="/checks?per=200&amp;page=2" aria-label="page 2">2</a>');
    expect(big).not.toContain('aria-label="page 3"');
    expect(big).toContain('<a class="chip" href="/checks?state=FAIL&amp;per=200">Failing 2</a>');
    expect(big).toContain('<input type="hidden" name="per" value="200"/>');
    expect(big).toContain('hx-get="/checks/list?per=200"');
    expect(big).toContain('<a href="/checks?per=200" aria-current="true" aria-label="200 rows per page">200</a>');
    expect(count(await a.page('/checks?per=50&page=2'), /<tr id="r-/g)).toBe(50);
  });

  it('a rows-per-page value not offered (or not a number) falls back to 100 rows, never an error', async () => {
    const checks: Record<string, unknown> = {};
    for (let i = 0; i < 230; i++) checks[`c${String(i).padStart(3, '0')}`] = passingDisk;
    t = await webSite({ checks });
    const a = new Agent(t.web);
    await a.login('vera', PASSWORDS.vera);
    for (const bad of ['10000', '0', '-50', '75', 'abc', '200abc', '1e2', '']) {
      const page = await a.page(`/checks?per=${encodeURIComponent(bad)}`);
      expect(count(page, /<tr id="r-/g), `per=${bad}`).toBe(100);
      expect(page, `per=${bad}`).toContain('<a href="/checks" aria-current="true" aria-label="100 rows per page">100</a>');
    }
    expect(count(await a.page('/checks/list?per=99999'), /<tr id="r-/g)).toBe(100);
  });

  it('tag chips: one per tag in use with its count, a link that filters by it (with the rest of the query), kept by the search form', async () => {
    const tagged = (tags: string[]): Record<string, unknown> => ({ type: 'disk', options: { volume: '/', level: 100, tags } });
    t = await webSite({ checks: { nas1: tagged(['nas', 'backup']), nas2: tagged(['nas']), web1: tagged(['web']), plain: passingDisk } });
    const a = new Agent(t.web);
    await a.login('vera', PASSWORDS.vera);
    const page = await a.page('/checks');
    expect(page).toMatch(/<span class="muted">Tag<\/span><a class="chip on" href="\/checks" aria-current="true">Any<\/a>/);
    expect(page).toContain('<a class="chip" href="/checks?tag=nas">nas 2</a>');
    expect(page).toContain('<a class="chip" href="/checks?tag=backup">backup 1</a>');
    expect(page).toContain('<a class="chip" href="/checks?tag=web">web 1</a>');
    const nas = await a.page('/checks?tag=nas&type=disk');
    expect(nas).toContain('<a class="chip on" href="/checks?type=disk&amp;tag=nas" aria-current="true">nas 2</a>');
    expect(nas).toContain('<input type="hidden" name="tag" value="nas"/>');
    const rows = [...nas.matchAll(/<tr id="r-n-[^"]*" data-check="([^"]+)"/g)].map((m) => m[1]).sort();
    expect(rows).toEqual(['nas1', 'nas2']);
    // the list's live reloads keep the tag (the list URL carries it)
    expect(nas).toContain('hx-get="/checks/list?type=disk&amp;tag=nas"');
    // a tag no check carries: no rows, and its chip says 0
    const none = await a.page('/checks?tag=gone');
    expect(none).toContain('No checks match.');
    expect(none).toContain('aria-current="true">gone 0</a>');
  });

  it('the shared form runs, pauses and moves the check of the button pressed', async () => {
    t = await webSite();
    const a = new Agent(t.web);
    await a.login('olly', PASSWORDS.olly);
    await a.page('/checks');
    // no script: the button's formaction is the URL; the group travels in its query
    const moved = await a.post('/check/ram/move?group=seq', { back: '/checks', view: 'checks', dir: 'up' });
    expect(moved.status).toBe(303);
    expect(t.site.entry('ram')!.config.priority).toBeLessThan(t.site.entry('root')!.config.priority);
    const paused = await a.post('/check/lone/pause', { back: '/checks', view: 'checks', paused: '1' });
    expect(paused.status).toBe(303);
    expect(t.site.entry('lone')!.config.paused).toBe(true);
  });

  it('home: a banner, failing cards with their bars, every sequence and lone check at a glance', async () => {
    t = await webSite({ checks: { seq: { type: 'sequence', options: { checks: ['m1'] } }, m1: passingDisk, lone: failingDisk } });
    await t.site.runNow('seq');
    await t.site.runNow('lone');
    const a = new Agent(t.web);
    await a.login('vera', PASSWORDS.vera);
    const home = await a.page('/');
    expect(home).toContain('<div id="failbanner" class="banner on"');
    expect(home).toMatch(new RegExp(`id="card-${cid('lone')}"[\\s\\S]*?class="beats" role="img" aria-label="last run: 1 failed"`));
    expect(home).toContain('<h2 id="glance-h">At a glance</h2>');
    expect(count(home, '<li class="tile">')).toBe(2); // seq, lone (m1 is inside seq)
  });
});

describe('compression', () => {
  it('pages go out brotli- or gzip-compressed as asked, with Vary; the event stream never', async () => {
    t = await webSite();
    const a = new Agent(t.web);
    await a.login('vera', PASSWORDS.vera);
    const plain = await (await a.get('/checks')).text();
    const br = await a.get('/checks', { 'Accept-Encoding': 'gzip, deflate, br' });
    expect(br.headers.get('Content-Encoding')).toBe('br');
    expect(br.headers.get('Vary')).toMatch(/Accept-Encoding/);
    const brBody = Buffer.from(await br.arrayBuffer());
    expect(brBody.length).toBeLessThan(plain.length / 3);
    // the same page apart from the per-request token
    const strip = (s: string): string => s.replace(/content="[^"]{20,}"/g, '').replace(/value="[^"]{20,}"/g, '');
    expect(strip(brotliDecompressSync(brBody).toString())).toBe(strip(plain));
    const gz = await a.get('/checks', { 'Accept-Encoding': 'gzip' });
    expect(gz.headers.get('Content-Encoding')).toBe('gzip');
    expect(strip(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString())).toBe(strip(plain));
    // static files too
    const css = /href="(\/s\/app\.[^"]+\.css)"/.exec(plain)![1];
    expect((await a.get(css, { 'Accept-Encoding': 'br' })).headers.get('Content-Encoding')).toBe('br');
    // the live stream is sent as it is
    const sse = await a.request('/events?view=checks', { headers: { Accept: 'text/event-stream', 'Accept-Encoding': 'gzip, br' } });
    expect(sse.headers.get('Content-Type')).toMatch(/^text\/event-stream/);
    expect(sse.headers.get('Content-Encoding')).toBeNull();
    await sse.body!.cancel();
  });
});
