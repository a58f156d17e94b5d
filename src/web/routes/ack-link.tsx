/**
 * One-click acknowledgement from a notification (issue 19,
 * docs/operations.md "Acknowledge from the notification"). GET /ack/<token>
 * only shows what the link would acknowledge and a button; POST acknowledges.
 * No session: the HMAC-signed token (src/ops/ack-link.ts) is the credential,
 * so the POST is exempt from the session's CSRF token (app.ts) — it still
 * refuses requests a browser marks as cross-site. The site log says which
 * action's link it was.
 */
import { Hono } from 'hono';
import { authOf, need, type WebContext, type WebEnv } from '../context.ts';
import { crossSite } from '../csrf.ts';
import type { WebDeps } from '../deps.ts';
import { html } from '../render.tsx';
import { MAX_TOKEN } from '../../ops/ack-link.ts';
import { acknowledgeByLink, linkClaim } from '../../ops/ack-by-link.ts';
import { displayTime } from '../../util/time.ts';
import { checkUrl } from '../view-data.ts';

export const ACK_LINK_PREFIX = '/ack';

export function ackLinkRoutes(d: WebDeps): Hono<WebEnv> {
  const { AckLinkPage } = d.pages;
  const r = new Hono<WebEnv>();
  const { site } = d;
  const page = (c: WebContext, o: Omit<Parameters<typeof AckLinkPage>[0], 'site' | 'assets'>, status: 200 | 400 | 403 | 409 | 410 = 200) => {
    c.header('Cache-Control', 'no-store');
    return html(c, <AckLinkPage site={site.name} assets={d.assets} {...o} />, status);
  };
  const token = (c: WebContext): string => c.req.param('token')?.slice(0, MAX_TOKEN + 1) ?? '';
  const refused = (c: WebContext, error: string) =>
    page(c, { title: 'Link not accepted', message: error, error: true }, /expired|over/.test(error) ? 410 : 400);

  r.get(`${ACK_LINK_PREFIX}/:token`, (c) => {
    const v = linkClaim(site.ops, token(c));
    if (!v.ok) return refused(c, v.error);
    const { check } = v.claim;
    if (v.ack)
      return page(c, {
        title: 'Already acknowledged',
        message: `The failure of ${check} was acknowledged ${v.ack.by.startsWith('via ') ? v.ack.by : `by ${v.ack.by}`} at ${displayTime(v.ack.at, site.settings.timezone)}.`,
        check: checkUrl(check),
      });
    return page(c, {
      title: `Acknowledge ${check}?`,
      message: `${check} is failing. Acknowledging stops its reminders and escalation until it recovers; the site log records that it was done with this link.`,
      action: `${ACK_LINK_PREFIX}/${token(c)}`,
      check: checkUrl(check),
    });
  });

  r.post(`${ACK_LINK_PREFIX}/:token`, (c) => {
    if (crossSite(c)) return c.text('cross-site request refused', 403);
    const res = acknowledgeByLink(site.ops, token(c));
    if (!res.ok) return refused(c, res.error);
    return page(c, {
      title: 'Acknowledged',
      message: res.already
        ? `The failure of ${res.check} was already acknowledged.`
        : `The failure of ${res.check} is acknowledged: its reminders and escalation stop until it recovers.`,
      check: checkUrl(res.check),
    });
  });
  // an admin replaces the key (never done silently): every link sent before stops working
  r.post('/config/ack-links/rotate', need('admin'), (c) => {
    if (!site.ops.links?.rotate()) return c.text('the site is read-only: the link key cannot be replaced', 409);
    site.warn(`acknowledgement link key replaced by ${authOf(c).user}: links sent before no longer work`);
    return c.redirect('/config#ack-links', 303);
  });
  return r;
}
