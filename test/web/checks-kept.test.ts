/**
 * The checks page's kept figures (issue 22, src/web/glance-cache.ts and
 * src/web/tally.ts): heartbeat bars, uptime and the counts by state are kept
 * between requests for speed, and must still follow every run, pause and
 * configuration change at once.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { Agent, PASSWORDS, webSite, type TestSite } from './helpers.ts';

let t: TestSite | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

const rowOf = (html: string, name: string): string => {
  const at = html.indexOf(`data-check="${name}"`);
  expect(at, `a row for ${name}`).toBeGreaterThan(-1);
  return html.slice(at, html.indexOf('</tr>', at));
};
// blocks of a kind in a row's bar: a run of equal blocks is one element, `n3` three blocks wide
const blocks = (row: string, kind: string): number =>
  [...row.matchAll(new RegExp(`class="beat ${kind}(?: n(\\d+))?"`, 'g'))].reduce((s, m) => s + Number(m[1] ?? 1), 0);
const fails = (row: string): number => blocks(row, 'fail');
const chip = (html: string, label: string): string | null => new RegExp(`>${label} (\\d+)</a>`).exec(html)?.[1] ?? null;

describe('checks page: kept bars and counts follow the site', () => {
  it('a run adds its block and moves the counts on the next page; a pause is shown at once', async () => {
    t = await webSite({ checks: { up: { type: 'memory', options: { level: 100 } }, down: { type: 'memory', options: { level: 0 } } } });
    const a = new Agent(t.web);
    await a.login('vera', PASSWORDS.vera);
    let page = await (await a.get('/checks')).text();
    expect(fails(rowOf(page, 'down'))).toBe(0);
    expect(chip(page, 'Failing')).toBeNull();

    await t.site.runNow('down');
    page = await (await a.get('/checks')).text();
    expect(fails(rowOf(page, 'down'))).toBe(1);
    expect(chip(page, 'Failing')).toBe('1');
    expect(page).toContain('1 check in fail state');

    // the same fake time: a second run is still a second block (kept until the check runs, not keyed by time)
    await t.site.runNow('down');
    page = await (await a.get('/checks')).text();
    expect(fails(rowOf(page, 'down'))).toBe(2);

    await t.clock.advance(60_000);
    await t.site.runNow('up');
    page = await (await a.get('/checks')).text();
    expect(blocks(rowOf(page, 'up'), 'pass')).toBe(1);
    expect(chip(page, 'Passing')).toBe('1');

    // a pause is a configuration change: counted again
    const admin = new Agent(t.web);
    await admin.login('admin', PASSWORDS.admin);
    const r = await admin.post('/check/down/pause', { paused: '1' });
    expect(r.status).toBeLessThan(400);
    page = await (await a.get('/checks')).text();
    expect(chip(page, 'Failing')).toBeNull();
    expect(chip(page, 'Paused')).toBe('1');
  });
});
