/**
 * API tokens (admin only): the list, the create form, and — once, right
 * after it is created — a new token's secret with a copy button.
 */
import type { Child } from 'hono/jsx';
import { Page } from '../layout.tsx';
import { Csrf, ErrorList } from '../ui.tsx';
import { SelectField, TextField } from '../partials/fields.tsx';
import { CopyField } from '../partials/integrations.tsx';
import type { Created, PropsOf } from '../../src/web/view-data.ts';

export type { TokenRowVM, Created } from '../../src/web/view-data.ts';

const SCOPE_TEXT: [string, string][] = [
  ['read', 'read — every GET: checks, state, history, status, metrics'],
  ['operate', 'operate — also run now, pause and resume, test actions'],
  ['admin', 'admin — also create, change and delete checks, actions and tokens'],
];

function CreatedCard(p: { t: Created; origin: string }): Child {
  const { t } = p;
  return (
    <section class="card created" role="status" aria-labelledby="created-h">
      <h2 id="created-h">
        Token #{t.id} “{t.name}” created ({t.scope}
        {t.expires ? `, expires ${t.expires}` : ', no expiry'})
      </h2>
      <p class="warn">
        <strong>Copy the token now: it is shown only this once.</strong> siteward keeps only its hash and cannot show it again; if it is lost, revoke it and
        create another.
      </p>
      <CopyField id="token-secret" label="New token" value={t.secret} />
      <CopyField id="token-curl" label="Try it" value={`curl -H 'Authorization: Bearer ${t.secret}' ${p.origin}/api/v1/status`} multiline />
    </section>
  );
}

export function TokensPage(p: PropsOf<'TokensPage'>): Child {
  const { ctx, s } = p;
  return (
    <Page ctx={ctx} title="API tokens">
      <h1>API tokens</h1>
      <p class="muted">
        Bearer tokens for the REST API (<code>/api/v1</code>, see <a href="/api/v1/openapi.json">openapi.json</a>) and, with <code>api.metricsAuth</code>, for{' '}
        <code>/metrics</code>. Scopes nest: read ⊂ operate ⊂ admin.
      </p>
      {p.flash ? (
        <div class="notice" role="status">
          {p.flash}
        </div>
      ) : null}
      {p.created ? <CreatedCard t={p.created} origin={p.origin} /> : null}
      <table class="rows tokens">
        <thead>
          <tr>
            <th>#</th>
            <th>Name</th>
            <th>Scope</th>
            <th>Token</th>
            <th>Created</th>
            <th>Expires</th>
            <th>Last used</th>
            <th>State</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {p.rows.length === 0 ? (
            <tr>
              <td colspan={9} class="muted">
                No tokens yet.
              </td>
            </tr>
          ) : null}
          {p.rows.map((t) => (
            <tr data-token={String(t.id)}>
              <td data-label="#">{t.id}</td>
              <td data-label="Name">{t.name}</td>
              <td data-label="Scope">{t.scope}</td>
              <td data-label="Token">
                <code>{t.prefix}…</code>
              </td>
              <td data-label="Created">{t.created}</td>
              <td data-label="Expires">{t.expires || 'never'}</td>
              <td data-label="Last used">{t.lastUsed || 'never'}</td>
              <td data-label="State">
                {t.state === 'active' ? (
                  <span class="ok">active</span>
                ) : t.state === 'expired' ? (
                  <span class="err">expired</span>
                ) : (
                  <span class="err">revoked {t.revoked}</span>
                )}
              </td>
              <td data-label="Actions">
                {t.state === 'revoked' ? null : (
                  <a class="btn danger" href={`/tokens/${t.id}/revoke`}>
                    Revoke…<span class="sr-only"> token {t.name}</span>
                  </a>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Create a token</h2>
      <form method="post" action="/tokens" class="stack" id="token-form" novalidate>
        <Csrf token={ctx.csrf} />
        <ErrorList errors={s.general} />
        <TextField name="name" label="Name" s={s} required help="what uses it, e.g. grafana or backup-script" />
        <SelectField name="scope" label="Scope" s={s} choices={SCOPE_TEXT} />
        <TextField
          name="expires"
          label="Expires"
          s={s}
          placeholder="never"
          help="a duration (30d, 12h, 90m) or a date and time (2027-01-31, 2027-01-31T12:00Z); empty: never"
        />
        <div class="toolbar">
          <button type="submit" class="primary">
            Create token
          </button>
        </div>
      </form>
    </Page>
  );
}
