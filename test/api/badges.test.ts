/**
 * Badges: opt-in (per check or per site), well-formed SVG (parsed by an XML
 * parser), every text escaped, uptime from the recorded runs.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { openApiSite, type ApiTestSite } from './helpers.ts';
import { badgeSvg } from '../../src/api/badges.ts';

const NASTY = '<script>alert("x")</script> & \'q\' \u0001';

function parseSvg(svg: string): { texts: string[]; title: string } {
  const valid = XMLValidator.validate(svg);
  expect(valid, JSON.stringify(valid)).toBe(true);
  const doc = new XMLParser({ ignoreAttributes: false, trimValues: false, isArray: (n) => n === 'text' }).parse(svg) as {
    svg: { '@_xmlns': string; title: string; g: { text?: (string | { '#text': string })[] }[] };
  };
  expect(doc.svg['@_xmlns']).toBe('http://www.w3.org/2000/svg');
  const texts = doc.svg.g.flatMap((g) => g.text ?? []).map((x) => (typeof x === 'string' ? x : x['#text']));
  return { texts, title: doc.svg.title };
}

describe('badges', () => {
  let t: ApiTestSite;
  afterEach(() => t.close());

  it('are served only for checks that opt in; others are 404 like unknown names', async () => {
    t = await openApiSite({ checks: { pub: { type: 'disk', options: { badge: true } }, priv: { type: 'disk' } } });
    const ok = await t.app.request('/badge/pub/state.svg');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    expect(ok.headers.get('content-security-policy')).toContain("default-src 'none'");
    // not run yet: pending, never a failure (issue 17)
    expect(parseSvg(await ok.text()).texts).toEqual(['pub', 'pending']);
    for (const p of ['/badge/priv/state.svg', '/badge/priv/uptime.svg', '/badge/ghost/state.svg']) {
      const r = await t.app.request(p);
      expect(r.status, p).toBe(404);
      expect(await r.text()).toBe('');
    }
  });

  it('api.badges serves every check', async () => {
    t = await openApiSite({ api: { badges: true }, checks: { any: { type: 'disk', options: { level: 100 } } } });
    await t.site.runNow('any');
    expect(parseSvg(await (await t.app.request('/badge/any/state.svg')).text()).texts).toEqual(['any', 'PASS']);
  });

  it('escape names and labels: the SVG stays well-formed and shows the text literally', async () => {
    t = await openApiSite({ api: { badges: true }, checks: { [NASTY]: { type: 'disk' } } });
    const r = await t.app.request(`/badge/${encodeURIComponent(NASTY)}/state.svg`);
    const svg = await r.text();
    expect(svg).not.toContain('<script>');
    const { texts, title } = parseSvg(svg);
    // the parser decodes the entities: the name reads back literally (minus the control character XML cannot carry)
    expect(texts[0]).toBe('<script>alert("x")</script> & \'q\' ');
    expect(title).toBe('<script>alert("x")</script> & \'q\' : pending');
    const labelled = await t.app.request(`/badge/${encodeURIComponent(NASTY)}/uptime.svg?label=${encodeURIComponent('<b>up</b>')}`);
    expect(parseSvg(await labelled.text()).texts[0]).toBe('<b>up</b>');
  });

  it('uptime is the share of passing runs in the window', async () => {
    t = await openApiSite({ checks: { u: { type: 'disk', options: { badge: true, level: 100 } } } });
    const none = parseSvg(await (await t.app.request('/badge/u/uptime.svg')).text()).texts;
    expect(none).toEqual(['uptime 7d', 'no data']);
    for (let i = 0; i < 3; i++) await t.site.runNow('u');
    await t.call('PATCH', '/api/v1/checks/u', { body: { options: { level: 0 } } });
    await t.site.runNow('u');
    expect(parseSvg(await (await t.app.request('/badge/u/uptime.svg?days=1')).text()).texts).toEqual(['uptime 1d', '75%']);
    await t.clock.advance(2 * 86_400_000);
    expect(parseSvg(await (await t.app.request('/badge/u/uptime.svg?days=1')).text()).texts).toEqual(['uptime 1d', 'no data']);
  });

  it('badgeSvg sizes the badge to its text', () => {
    const short = badgeSvg('a', 'b', '#000');
    const long = badgeSvg('a much longer label', 'b', '#000');
    const width = (s: string): number => Number(/^<svg[^>]* width="(\d+)"/.exec(s)![1]);
    expect(width(long)).toBeGreaterThan(width(short));
  });
});
