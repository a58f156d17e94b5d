/**
 * Rendered status pages kept in memory (src/status-pages/page-cache.ts):
 * built once, shared by concurrent requests, served stale past their age
 * while one rebuild runs in the background, dropped by clear() (a state
 * change, an edit, an incident) — a build that was running when the cache
 * was cleared is not kept.
 */
import { describe, it, expect } from 'vitest';
import { etagOf, matchesEtag, PageCache } from '../../src/status-pages/page-cache.ts';

/** A build whose result the test releases. */
function gate(): { build: () => Promise<string>; calls: number; release(text: string): void } {
  const waiting: ((s: string) => void)[] = [];
  const g = {
    calls: 0,
    build: () => {
      g.calls++;
      return new Promise<string>((r) => waiting.push(r));
    },
    release: (text: string) => waiting.shift()!(text),
  };
  return g;
}
const turn = () => new Promise<void>((r) => setImmediate(r));

describe('status page cache', () => {
  it('builds once; concurrent requests share the build; later ones are served from memory', async () => {
    let now = 0;
    const c = new PageCache(() => now, 30_000);
    const g = gate();
    const a = c.get('k', g.build);
    const b = c.get('k', g.build);
    await turn();
    g.release('page 1');
    expect((await a).text).toBe('page 1');
    expect((await b).text).toBe('page 1');
    now += 29_999;
    expect((await c.get('k', g.build)).text).toBe('page 1');
    expect(g.calls).toBe(1);
  });

  it('past its age the old body is served at once and rebuilt once in the background', async () => {
    let now = 0;
    const c = new PageCache(() => now, 30_000);
    const g = gate();
    const first = c.get('k', g.build);
    await turn();
    g.release('page 1');
    await first;
    now = 30_000;
    expect((await c.get('k', g.build)).text).toBe('page 1');
    expect((await c.get('k', g.build)).text).toBe('page 1');
    // one rebuild for both
    expect(g.calls).toBe(2);
    g.release('page 2');
    await turn();
    expect((await c.get('k', g.build)).text).toBe('page 2');
    expect(g.calls).toBe(2);
  });

  it('clear() drops the bodies; a build running across it is not kept', async () => {
    const c = new PageCache(() => 0);
    const g = gate();
    const old = c.get('k', g.build);
    await turn();
    c.clear();
    const fresh = c.get('k', g.build);
    await turn();
    g.release('before the change');
    g.release('after the change');
    expect((await old).text).toBe('before the change');
    expect((await fresh).text).toBe('after the change');
    expect((await c.get('k', g.build)).text).toBe('after the change');
    expect(g.calls).toBe(2);
    expect(c.size).toBe(1);
  });

  it('keeps at most maxEntries bodies', async () => {
    const c = new PageCache(() => 0, 30_000, 3);
    for (let i = 0; i < 5; i++) await c.get(`k${i}`, async () => `p${i}`);
    expect(c.size).toBe(3);
  });
});

describe('status page validators (RFC 9110 §13.1.2)', () => {
  it('a body has one weak ETag of its text; If-None-Match compares weakly, lists and * match', () => {
    const e = etagOf('<p>page</p>');
    expect(e).toMatch(/^W\/"[\w-]+"$/);
    expect(etagOf('<p>page</p>')).toBe(e);
    expect(etagOf('<p>other</p>')).not.toBe(e);
    expect(matchesEtag(e, e)).toBe(true);
    expect(matchesEtag(e.slice(2), e)).toBe(true);
    expect(matchesEtag(`"x", ${e}`, e)).toBe(true);
    expect(matchesEtag('*', e)).toBe(true);
    expect(matchesEtag('W/"x"', e)).toBe(false);
    expect(matchesEtag(undefined, e)).toBe(false);
    expect(matchesEtag('', e)).toBe(false);
  });
});
