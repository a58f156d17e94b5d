/**
 * Run, pause, clone, reorder and delete (spec §8.3, §8.6) as POST forms and
 * htmx requests; fletchck's GET links only ask.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { cloneName, movePriorities } from '../../src/web/ordering.ts';
import { grouping, rawCheck } from '../../src/web/model.ts';
import { Agent, PASSWORDS, webSite, type TestSite } from './helpers.ts';

let t: TestSite;
let a: Agent;
beforeEach(async () => {
  t = await webSite({
    checks: {
      a1: { type: 'memory', options: { level: 100 } },
      a2: { type: 'memory', options: { level: 100 }, depends: ['a1'] },
      a3: { type: 'memory', options: { level: 100 } },
      s1: { type: 'sequence', priority: 100, options: { checks: ['a1', 'a2'] } },
      s2: { type: 'sequence', priority: 200, options: { checks: ['a3', 'a1'] } },
      r1: { type: 'remote', subType: 'https' },
      l1: { type: 'disk', options: { volume: '/', level: 100 } },
      l2: { type: 'disk', options: { volume: '/', level: 100 } },
    },
  });
  a = new Agent(t.web);
  await a.login('olly', PASSWORDS.olly);
  await a.page('/checks');
});
afterEach(async () => {
  await t.close();
});

const order = (group: string | null): string[] => grouping(t.site).groups.find((g) => g.seq === group)!.members;

describe('reorder (spec §8.6)', () => {
  it('moves a check within the group it is shown in and renumbers that group base+2, base+4…', async () => {
    expect(order('s1')).toEqual(['a1', 'a2']);
    const res = await a.post('/check/a2/move', { dir: 'up', group: 's1', back: '/checks' });
    expect(res.status).toBe(303);
    expect(order('s1')).toEqual(['a2', 'a1']);
    expect(rawCheck(t.site.loaded, 'a2')!.priority).toBe(102);
    expect(rawCheck(t.site.loaded, 'a1')!.priority).toBe(104);
  });

  it('moves a check in the group it was clicked in (not only the first group holding it)', async () => {
    expect(order('s2')).toEqual(['a3', 'a1']);
    await a.post('/check/a1/move', { dir: 'up', group: 's2' });
    expect(order('s2')).toEqual(['a1', 'a3']);
  });

  it('the unsequenced group is renumbered from 10000', async () => {
    expect(order(null)).toEqual(['r1', 'l1', 'l2']);
    await a.post('/check/l2/move', { dir: 'up', group: '' });
    expect(order(null)).toEqual(['r1', 'l2', 'l1']);
    expect(rawCheck(t.site.loaded, 'l2')!.priority).toBe(10004);
  });

  it('moves a sequence among sequences and renumbers them 100, 200, …', async () => {
    await a.post('/check/s2/move', { dir: 'up' });
    expect(grouping(t.site).seqs).toEqual(['s2', 's1']);
    expect(rawCheck(t.site.loaded, 's2')!.priority).toBe(100);
    expect(rawCheck(t.site.loaded, 's1')!.priority).toBe(200);
  });

  it('at the edge nothing changes', () => {
    expect(movePriorities(t.site.loaded, grouping(t.site), 'a1', 'up', 's1')).toBeNull();
    expect(movePriorities(t.site.loaded, grouping(t.site), 's2', 'down')).toBeNull();
  });

  it('over htmx the answer asks the list to reload itself', async () => {
    const res = await a.post('/check/a2/move', { dir: 'up', group: 's1', view: 'checks', back: '/checks' }, { headers: { 'HX-Request': 'true' } });
    expect(res.status).toBe(204);
    expect(res.headers.get('HX-Trigger')).toBe('sw-config');
  });

  it('GET /move/x only asks', async () => {
    const html = await (await a.get('/move/a2?m=up')).text();
    expect(html).toContain('Move &quot;a2&quot; up?');
    expect(order('s1')).toEqual(['a1', 'a2']);
  });
});

describe('clone (spec §8.6)', () => {
  it('names the copy -copy, then -copy-<4 hex>', () => {
    const taken = new Set(['web', 'web-copy']);
    expect(cloneName('db', (n) => taken.has(n))).toBe('db-copy');
    expect(cloneName('web-copy-1a2b', (n) => taken.has(n))).toMatch(/^web-copy-[0-9a-f]{4}$/);
  });

  it('copies the configuration (not the state) into the same sequences, without the publish topic', async () => {
    await t.site.mutate((doc) => ({ ...doc, checks: { ...(doc.checks as object), a1: { ...rawCheck(t.site.loaded, 'a1'), publish: 'site/a1' } } }));
    await t.site.runNow('a1');
    expect((await a.post('/check/a1/clone', { back: '/checks' })).status).toBe(303);
    const copy = rawCheck(t.site.loaded, 'a1-copy')!;
    expect(copy).toMatchObject({ type: 'memory', options: { level: 100 }, publish: null });
    expect(copy).not.toHaveProperty('data');
    expect(t.site.state('a1-copy').lastCheck).toBeNull();
    expect(order('s1')).toContain('a1-copy');
    expect(order('s2')).toContain('a1-copy');
  });

  it('clones a sequence with its members, dependencies pointing at the clones', async () => {
    await a.post('/check/s1/clone', { back: '/checks' });
    expect(rawCheck(t.site.loaded, 's1-copy')!.options).toEqual({ checks: ['a1-copy', 'a2-copy'] });
    expect(rawCheck(t.site.loaded, 'a2-copy')!.depends).toEqual(['a1-copy']);
    expect(order('s1')).toEqual(['a1', 'a2']);
  });

  it('a remote check cannot be cloned', async () => {
    const res = await a.post('/check/r1/clone', { back: '/checks' });
    expect(res.status).toBe(422);
    expect(t.site.loaded.checks.size).toBe(8);
    expect(await (await a.get('/checks')).text()).not.toContain('/check/r1/clone');
  });

  it('from the check page, htmx goes to the clone', async () => {
    const res = await a.post('/check/l1/clone', { view: 'check', back: '/check/l1' }, { headers: { 'HX-Request': 'true' } });
    expect(res.headers.get('HX-Redirect')).toBe('/check/l1-copy');
  });
});

describe('run, pause, delete', () => {
  it('runs a check now and returns to the page it came from', async () => {
    const res = await a.post('/check/l1/run', { back: '/checks?q=l' });
    expect(res.status).toBe(303);
    expect(res.headers.get('Location')).toBe('/checks?q=l');
    expect(t.site.state('l1').lastCheck).not.toBeNull();
  });

  it('over htmx the run answers with the updated row as an htmx partial', async () => {
    const res = await a.post('/check/l1/run', { view: 'checks', back: '/checks' }, { headers: { 'HX-Request': 'true' } });
    const html = await res.text();
    expect(html).toMatch(/<hx-partial hx-target="#r-n-c[0-9a-f]{16}" hx-swap="outerMorph"><tr id="r-n-c[0-9a-f]{16}"[^>]*data-check="l1">/);
    expect(html).toContain('data-state="PASS"');
  });

  it('from the home page, the re-run answers with the home cards', async () => {
    const html = await (await a.post('/check/l1/run', { view: 'home', back: '/' }, { headers: { 'HX-Request': 'true' } })).text();
    expect(html).toContain('<div id="home-main" hx-swap-oob="true">');
  });

  it("fletchck's ?run=y link asks before running", async () => {
    const html = await (await a.get('/check/l1?run=list')).text();
    expect(html).toContain('Run &quot;l1&quot; now?');
    expect(t.site.state('l1').lastCheck).toBeNull();
  });

  it('pauses and resumes', async () => {
    await a.post('/check/l1/pause', { paused: '1' });
    expect(t.site.entry('l1')!.config.paused).toBe(true);
    await t.site.runNow('l1');
    expect(t.site.state('l1').log).toEqual(['PAUSED']);
    await a.post('/check/l1/pause', { paused: '0' });
    expect(t.site.entry('l1')!.config.paused).toBe(false);
  });

  it('delete asks first; ?delete=y deletes nothing; the confirmed POST deletes and fixes references', async () => {
    expect((await a.get('/check/a1?delete=y')).headers.get('Location')).toBe('/check/a1/delete');
    expect(await (await a.get('/check/a1/delete')).text()).toContain('Delete the check &quot;a1&quot;?');
    expect((await a.post('/check/a1/delete', {})).status).toBe(303);
    expect(t.site.entry('a1')).toBeDefined();
    const res = await a.post('/check/a1/delete', { confirm: 'yes' });
    expect(res.headers.get('Location')).toBe('/checks?deleted=a1');
    expect(t.site.entry('a1')).toBeUndefined();
    expect(rawCheck(t.site.loaded, 'a2')!.depends).toEqual([]);
    expect(order('s1')).toEqual(['a2']);
    expect(await (await a.get('/checks?deleted=a1')).text()).toContain('Deleted check &quot;a1&quot;.');
  });

  it('deleting from the check page over htmx sends the browser to the list', async () => {
    const res = await a.request('/check/l2', {
      method: 'DELETE',
      headers: { 'HX-Request': 'true', 'X-CSRF-Token': a.csrf, 'HX-Current-URL': 'http://localhost/check/l2' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('HX-Redirect')).toBe('/checks?deleted=l2');
  });

  it('names may hold any character: slashes, ?, #, % and spaces work in every URL', async () => {
    const name = 'a/b?c#d%e f';
    const url = `/check/${encodeURIComponent(name)}`;
    await a.page('/check');
    const made = await a.post('/check', { name, checkType: 'disk', 'opt.volume': '/', 'opt.level': '100', failAction: 'on', passAction: 'on' });
    expect(made.headers.get('Location')).toBe(`${url}?saved=1`);
    expect((await a.get(url)).status).toBe(200);
    expect((await a.post(`${url}/run`, { back: url })).headers.get('Location')).toBe(url);
    expect(t.site.state(name).lastCheck).not.toBeNull();
    expect((await a.post(`${url}/delete`, { confirm: 'yes' })).status).toBe(303);
    expect(t.site.entry(name)).toBeUndefined();
  });

  it('an unknown check is 404', async () => {
    expect((await a.get('/check/nope')).status).toBe(404);
    expect((await a.post('/check/nope/run')).status).toBe(404);
  });

  it('every mutation is saved to the site file at once (fletchck did not save deletes)', async () => {
    const { readFileSync } = await import('node:fs');
    await a.post('/check/l2/delete', { confirm: 'yes' });
    const file = JSON.parse(readFileSync(t.path, 'utf8')) as { checks: Record<string, unknown> };
    expect(file.checks).not.toHaveProperty('l2');
  });
});

describe('the list', () => {
  it('groups by sequence, filters by name, type and state, and pages', async () => {
    const all = await (await a.get('/checks')).text();
    expect(all.indexOf('data-group="s1"')).toBeLessThan(all.indexOf('data-group="s2"'));
    expect(all.indexOf('data-group="s2"')).toBeLessThan(all.indexOf('data-group=""'));
    const byName = await (await a.get('/checks/list?q=l')).text();
    expect(byName).toContain('data-check="l1"');
    expect(byName).not.toContain('data-check="a3"');
    const byType = await (await a.get('/checks/list?type=memory')).text();
    expect(byType).toContain('data-check="a3"');
    expect(byType).not.toContain('data-check="l1"');
    await t.site.runNow('l1');
    const passing = await (await a.get('/checks/list?state=PASS')).text();
    expect(passing).toContain('data-check="l1"');
    expect(passing).not.toContain('data-check="l2"');
  });

  it('stays usable with 10,000 checks: one page of rows at a time', async () => {
    const checks: Record<string, unknown> = {};
    for (let i = 0; i < 10_000; i++) checks[`c${String(i).padStart(5, '0')}`] = { type: 'cpu' };
    await t.site.mutate((doc) => ({ ...doc, checks }));
    // 100 rows a page by default: page 3 is rows 201–300 of 100 pages
    const html = await (await a.get('/checks?page=3')).text();
    expect((html.match(/data-check="/g) ?? []).length).toBe(100);
    expect(html).toContain('<a aria-current="page" href="/checks?page=3">3</a>');
    expect(html).toContain('<a href="/checks?page=100" aria-label="page 100">100</a>');
    expect(html).toContain('data-check="c00200"');
    expect(html).not.toContain('data-check="c00300"');
    expect(html).toContain('href="/checks?page=4"');
    // 200 rows a page when asked: page 3 is rows 401–600 of 50 pages
    const big = await (await a.get('/checks?per=200&page=3')).text();
    expect((big.match(/data-check="/g) ?? []).length).toBe(200);
    expect(big).toContain('<a aria-current="page" href="/checks?per=200&amp;page=3">3</a>');
    expect(big).toContain('<a href="/checks?per=200&amp;page=50" aria-label="page 50">50</a>');
    expect(big).toContain('data-check="c00400"');
    expect(big).toContain('href="/checks?per=200&amp;page=4"');
  });
});
