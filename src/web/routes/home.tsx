/**
 * Home, /status and the site log (spec §8.3, §8.7, §1.5).
 */
import { Hono } from 'hono';
import { need, type WebEnv } from '../context.ts';
import type { WebDeps } from '../deps.ts';
import { buildStatus } from '../status.ts';
import { homeData, html, pageCtx, rowContext } from '../render.tsx';

export function homeRoutes(d: WebDeps): Hono<WebEnv> {
  const { HomePage, ConfirmPage, LogPage } = d.pages;
  const r = new Hono<WebEnv>();
  const { site } = d;

  r.get('/', need('viewer'), async (c) => {
    const ctx = pageCtx(c, d, { kind: 'home' });
    const kiosk = c.req.query('kiosk') === '1';
    return html(
      c,
      <HomePage ctx={ctx} d={homeData(site, d.tally)} rowCtx={rowContext(site, d, { csrf: ctx.csrf, operate: ctx.can.operate }, '/')} kiosk={kiosk} />,
    );
  });

  r.get('/status', need('viewer'), (c) => c.json(buildStatus(site)));

  r.get('/log', need('viewer'), async (c) => {
    const ctx = pageCtx(c, d, { kind: 'log' });
    // fletchck's `/log?clear=…` cleared on GET; now it asks first
    if (c.req.query('clear') !== undefined && ctx.can.operate) {
      return html(c, <ConfirmPage ctx={ctx} title="Clear log" question="Clear the site log?" action="/log/clear" button="Clear log" danger cancel="/log" />);
    }
    return html(c, <LogPage ctx={ctx} lines={site.siteLog.all()} />);
  });

  r.post('/log/clear', need('operator'), (c) => {
    site.siteLog.clear();
    return c.redirect('/log', 303);
  });

  return r;
}
