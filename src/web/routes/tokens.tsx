/**
 * API tokens (admin only, issue 8): list, create — the secret is shown once,
 * on the page that answers the create, and only its hash is stored — and
 * revoke after a confirmation. The store is the API's (`siteTokens(site)`: the same table),
 * shared with `/api/v1/tokens` and `siteward-token`.
 */
import { Hono } from 'hono';
import { SCOPES, siteTokens, type Scope, type TokenStore } from '../../api/tokens.ts';
import { parseExpiry } from '../../api/views.ts';
import { displayTime } from '../../util/time.ts';
import { authOf, need, type WebContext, type WebEnv } from '../context.ts';
import type { WebDeps } from '../deps.ts';
import { formValues } from '../fields.ts';
import { formState } from '../check-form.ts';
import { html, pageCtx } from '../render.tsx';
import type { FormState } from '../view-data.ts';
import type { Created, TokenRowVM } from '../view-data.ts';

const MAX_NAME = 100;

export function tokenRoutes(d: WebDeps): Hono<WebEnv> {
  const { TokensPage, ConfirmPage, MessagePage } = d.pages;
  const r = new Hono<WebEnv>();
  const { site } = d;

  /** The API's token store; null when the site database has no API tables (the API module is not wired in). */
  const store = (): TokenStore | null => {
    try {
      return siteTokens(site);
    } catch (e) {
      site.log.warn({ err: e }, 'API tokens are not available');
      return null;
    }
  };

  const rows = (tokens: TokenStore): TokenRowVM[] => {
    const now = site.clock.now();
    const t = (x: number | null): string => displayTime(x, site.settings.timezone);
    return tokens
      .list()
      .reverse()
      .map((k) => ({
        id: k.id,
        name: k.name,
        scope: k.scope,
        prefix: k.prefix,
        created: t(k.created),
        expires: t(k.expires),
        lastUsed: t(k.lastUsed),
        revoked: t(k.revoked),
        state: k.revoked !== null ? 'revoked' : k.expires !== null && k.expires <= now ? 'expired' : 'active',
      }));
  };

  const unavailable = (c: WebContext) =>
    html(
      c,
      <MessagePage
        ctx={pageCtx(c, d, null)}
        title="API tokens"
        message="API tokens are not available: this site runs without the API module (its database has no token table)."
        error
      />,
      404,
    );

  const page = (c: WebContext, tokens: TokenStore, s: FormState, o: { created?: Created; flash?: string; status?: 200 | 201 | 422 } = {}) =>
    html(
      c,
      <TokensPage ctx={pageCtx(c, d, null)} rows={rows(tokens)} s={s} created={o.created} flash={o.flash} origin={new URL(c.req.url).origin} />,
      o.status ?? 200,
    );

  r.get('/tokens', need('admin'), (c) => {
    const tokens = store();
    if (!tokens) return unavailable(c);
    const revoked = c.req.query('revoked');
    return page(c, tokens, { values: { scope: 'read' }, errors: {}, general: [] }, { flash: revoked ? `Revoked token #${revoked}.` : undefined });
  });

  r.post('/tokens', need('admin'), async (c) => {
    const tokens = store();
    if (!tokens) return unavailable(c);
    const form = formValues(await c.req.parseBody({ all: true }));
    const errors: Record<string, string> = {};
    const name = (form.get('name') ?? '').trim();
    if (name === '') errors.name = 'is required';
    else if (name.length > MAX_NAME) errors.name = `at most ${MAX_NAME} characters`;
    else if (/[\u0000-\u001f\u007f]/.test(name)) errors.name = 'must be one line of text';
    const scope = form.get('scope') ?? '';
    if (!(SCOPES as readonly string[]).includes(scope)) errors.scope = `choose ${SCOPES.join(', ')}`;
    const text = (form.get('expires') ?? '').trim();
    let expires: number | null = null;
    if (text !== '') {
      expires = parseExpiry(text, site.clock.now());
      if (expires === null) errors.expires = `"${text}" is not a time or a duration such as 30d, 12h, 90m`;
      else if (expires <= site.clock.now()) errors.expires = 'is in the past';
    }
    if (Object.keys(errors).length) return page(c, tokens, formState(form, errors), { status: 422 });
    const made = tokens.create({ name, scope: scope as Scope, expires });
    site.warn(`API token #${made.token.id} "${name}" (${scope}) created by ${authOf(c).user}`);
    return page(
      c,
      tokens,
      { values: { scope: 'read' }, errors: {}, general: [] },
      {
        status: 201,
        created: { id: made.token.id, name, scope: made.token.scope, secret: made.secret, expires: displayTime(expires, site.settings.timezone) },
      },
    );
  });

  const found = (tokens: TokenStore, c: WebContext) => {
    const id = Number(c.req.param('id'));
    return Number.isSafeInteger(id) ? tokens.get(id) : undefined;
  };

  r.get('/tokens/:id/revoke', need('admin'), (c) => {
    const tokens = store();
    if (!tokens) return unavailable(c);
    const t = found(tokens, c);
    const ctx = pageCtx(c, d, null);
    if (!t) return html(c, <MessagePage ctx={ctx} title="Revoke token" message="There is no such token." back="/tokens" error />, 404);
    if (t.revoked !== null)
      return html(c, <MessagePage ctx={ctx} title="Revoke token" message={`Token #${t.id} "${t.name}" is already revoked.`} back="/tokens" />);
    return html(
      c,
      <ConfirmPage
        ctx={ctx}
        title="Revoke token"
        question={`Revoke token #${t.id} "${t.name}" (${t.scope}, ${t.prefix}…)? Programs using it get 401 from now on. This cannot be undone.`}
        action={`/tokens/${t.id}/revoke`}
        button="Revoke"
        danger
        cancel="/tokens"
      />,
    );
  });

  r.post('/tokens/:id/revoke', need('admin'), async (c) => {
    const tokens = store();
    if (!tokens) return unavailable(c);
    const t = found(tokens, c);
    if (!t) return html(c, <MessagePage ctx={pageCtx(c, d, null)} title="Revoke token" message="There is no such token." back="/tokens" error />, 404);
    const form = formValues(await c.req.parseBody({ all: true }));
    if (form.get('confirm') !== 'yes') return c.redirect(`/tokens/${t.id}/revoke`, 303);
    if (tokens.revoke(t.id)) site.warn(`API token #${t.id} "${t.name}" revoked by ${authOf(c).user}`);
    return c.redirect(`/tokens?revoked=${t.id}`, 303);
  });

  return r;
}
