/** `/status` rules of spec §8.7 and the home page's card rule of §8.3. */
import { describe, it, expect, afterEach } from 'vitest';
import { buildStatus } from '../../src/web/status.ts';
import { homeData } from '../../src/web/render.tsx';
import { webSite, type TestSite } from './helpers.ts';

let t: TestSite | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

describe('/status', () => {
  it('a passing sequence with a failing member shows failState "DEP"; info counts non-sequence checks', async () => {
    t = await webSite({
      checks: {
        m1: { type: 'disk', options: { volume: '/', level: 100 } },
        m2: { type: 'disk', options: { volume: '/', level: 100 } },
        s: { type: 'sequence', options: { checks: ['m1', 'm2'] } },
      },
    });
    await t.site.runNow('s');
    expect(buildStatus(t.site)).toMatchObject({ fail: false, info: null, checks: { s: { failState: '' } } });
    // a member fails on its own run, after the sequence passed
    await t.site.mutate((doc) => ({ ...doc, checks: { ...(doc.checks as object), m2: { type: 'disk', options: { volume: '/nonexistent-volume' } } } }));
    await t.site.runNow('m2');
    const s = buildStatus(t.site);
    expect(s.checks.s.failState).toBe('DEP');
    expect(s.checks.m2.failState).toBe(true);
    expect(s.fail).toBe(true);
    expect(s.info).toBe('1 check in fail state');
    expect(s.checks.m2.lastFail).toMatch(/^\d\d \w{3} \d{4} \d\d:\d\d /);
  });

  it('the home page lists failing checks that are in no sequence, or is all clear', async () => {
    t = await webSite({
      checks: {
        m1: { type: 'disk', options: { volume: '/', level: 100 } },
        s: { type: 'sequence', options: { checks: ['m1'] } },
        solo: { type: 'disk', options: { volume: '/', level: 100 } },
      },
    });
    // new checks start in FAIL (spec §3.1), but a check that has not run is pending: no cards yet
    expect(homeData(t.site).failing).toEqual([]);
    expect(homeData(t.site).counts).toMatchObject({ total: 3, PENDING: 3, FAIL: 0 });
    await t.site.mutate((doc) => ({
      ...doc,
      checks: {
        ...(doc.checks as object),
        m1: { type: 'disk', options: { volume: '/', level: 0, hysteresis: 0 } },
        solo: { type: 'disk', options: { volume: '/', level: 0, hysteresis: 0 } },
      },
    }));
    await t.site.runNow('s');
    await t.site.runNow('solo');
    // the sequence and the lone check get cards, the member does not
    expect(homeData(t.site).failing.map((v) => v.name)).toEqual(['s', 'solo']);
    await t.site.mutate((doc) => ({
      ...doc,
      checks: {
        ...(doc.checks as object),
        m1: { type: 'disk', options: { volume: '/', level: 100 } },
        solo: { type: 'disk', options: { volume: '/', level: 100 } },
      },
    }));
    await t.site.runNow('s');
    await t.site.runNow('solo');
    const d = homeData(t.site);
    expect(d.anyFailing).toBe(false);
    expect(d.counts).toMatchObject({ total: 3, PASS: 3 });
  });

  it('a sequence member failing before its sequence does gets a card of its own (the home page was blank)', async () => {
    t = await webSite({
      checks: {
        m1: { type: 'disk', options: { volume: '/', level: 100 } },
        s: { type: 'sequence', options: { checks: ['m1'] } },
      },
    });
    await t.site.runNow('s');
    expect(homeData(t.site).anyFailing).toBe(false);
    // the member runs on its own and fails; the sequence has not run since and still passes
    await t.site.mutate((doc) => ({ ...doc, checks: { ...(doc.checks as object), m1: { type: 'disk', options: { volume: '/', level: 0, hysteresis: 0 } } } }));
    await t.site.runNow('m1');
    const d = homeData(t.site);
    expect(d.counts.FAIL).toBe(1);
    expect(d.anyFailing).toBe(true);
    expect(d.failing.map((v) => v.name)).toEqual(['m1']);
    // once the sequence fails too, its card lists the member and the member's own card goes
    await t.site.runNow('s');
    expect(homeData(t.site).failing.map((v) => v.name)).toEqual(['s']);
  });
});
