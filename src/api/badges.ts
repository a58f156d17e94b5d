/**
 * Public SVG badges (opt-in): `/badge/<check>/state.svg` and
 * `/badge/<check>/uptime.svg?days=7` (share of passing runs). A check has
 * badges when its `options.badge` is true or the site's `api.badges` is;
 * any other name is 404, so badges never reveal which checks exist. Every
 * text is XML-escaped.
 */
import { Hono } from 'hono';
import type { ApiSite } from './api-site.ts';
import { neverRun, stateText } from '../engine/state.ts';

/** Where badges are served: the web UI leaves these responses' headers to this module (src/web/headers.ts). */
export const BADGE_PREFIX = '/badge/';

/**
 * The headers of every badge, on the web UI's port and on the API listener
 * alike: an image for other sites' pages (READMEs, status pages), so
 * cross-origin embedding is allowed (CORP cross-origin), while the SVG,
 * opened on its own, can run nothing.
 */
export const BADGE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'image/svg+xml; charset=utf-8',
  'Cache-Control': 'max-age=30',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
  'Cross-Origin-Resource-Policy': 'cross-origin',
};

const COLOURS = { green: '#4c1', yellow: '#dfb317', orange: '#fe7d37', red: '#e05d44', grey: '#9f9f9f', blue: '#007ec6' } as const;

/** Escapes for XML text and attributes; drops characters XML 1.0 cannot carry at all. */
export function xmlEscape(s: string): string {
  return (
    s
      // code points XML 1.0 cannot carry even escaped
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      .replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[ch]!)
  );
}

/** Rough Verdana 11px advance widths: wide enough that text never overflows. */
function textWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[mwMW@%]/.test(ch) ? 10 : /[A-Z0-9#&]/.test(ch) ? 8 : /[il.,:;|!' ]/.test(ch) ? 4 : 7;
  return w;
}

export function badgeSvg(label: string, message: string, colour: string): string {
  const lw = textWidth(label) + 10;
  const mw = textWidth(message) + 10;
  const w = lw + mw;
  const l = xmlEscape(label);
  const m = xmlEscape(message);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="20" role="img" aria-label="${l}: ${m}">` +
    `<title>${l}: ${m}</title>` +
    '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>' +
    `<clipPath id="r"><rect width="${w}" height="20" rx="3" fill="#fff"/></clipPath>` +
    `<g clip-path="url(#r)"><rect width="${lw}" height="20" fill="#555"/><rect x="${lw}" width="${mw}" height="20" fill="${colour}"/><rect width="${w}" height="20" fill="url(#s)"/></g>` +
    '<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">' +
    `<text x="${lw / 2}" y="14">${l}</text><text x="${lw + mw / 2}" y="14">${m}</text></g></svg>`
  );
}

export function uptimeColour(pct: number): string {
  return pct >= 99.9 ? COLOURS.green : pct >= 99 ? COLOURS.yellow : pct >= 95 ? COLOURS.orange : COLOURS.red;
}

export function badgeRoutes(site: ApiSite): Hono {
  const app = new Hono();
  const allowed = (name: string): boolean => {
    const e = site.entry(name);
    return e !== undefined && (site.settings.api?.badges === true || e.config.options.badge === true);
  };
  const send = (svg: string): Response => new Response(svg, { headers: { ...BADGE_HEADERS } });
  const label = (q: string | undefined, dflt: string): string => (q && q.length <= 64 ? q : dflt);

  app.get('/badge/:check/state.svg', (c) => {
    const name = c.req.param('check');
    if (!allowed(name)) return c.body(null, 404);
    const e = site.entry(name)!;
    // not run yet: "pending", as the UI says (the engine keeps fletchck's FAIL, spec §3.1)
    const st = !e.config.paused && neverRun(site.state(name)) ? 'pending' : stateText(site.state(name), e.config.paused);
    const colour = st === 'PASS' ? COLOURS.green : st === 'FAIL' ? COLOURS.red : st === 'WARN' ? COLOURS.yellow : COLOURS.grey;
    return send(badgeSvg(label(c.req.query('label'), name), st, colour));
  });

  app.get('/badge/:check/uptime.svg', (c) => {
    const name = c.req.param('check');
    if (!allowed(name)) return c.body(null, 404);
    const days = Math.min(365, Math.max(1, Number.parseInt(c.req.query('days') ?? '7', 10) || 7));
    const now = site.clock.now();
    // from the history tiers (raw runs are kept only for hours, src/store/rollup.ts)
    const { runs, fails: failed } = site.store.coverage(name, now - days * 86_400_000, now + 1);
    const text = label(c.req.query('label'), `uptime ${days}d`);
    if (runs === 0) return send(badgeSvg(text, 'no data', COLOURS.grey));
    const pct = ((runs - failed) / runs) * 100;
    const shown = pct === 100 ? '100%' : `${Math.min(99.99, Math.floor(pct * 100) / 100)}%`;
    return send(badgeSvg(text, shown, uptimeColour(pct)));
  });
  return app;
}
