/** Actions list and editor (spec §8.5) with "Test action" (spec §5.6). */
import type { Child } from 'hono/jsx';
import type { PropsOf } from '../../src/web/view-data.ts';
import { Page } from '../layout.tsx';
import { Csrf, ErrorList, Icon, actionUrl } from '../ui.tsx';
import { OptionFields, PickField, SelectField, TextField } from '../partials/fields.tsx';
import { Deliveries } from '../partials/history.tsx';
import { ActionHealthPanel, HealthBadge } from '../partials/integrations.tsx';

export type { ActionRowVM, ActionFormData } from '../../src/web/view-data.ts';

export function ActionsPage(p: PropsOf<'ActionsPage'>): Child {
  const { ctx } = p;
  return (
    <Page ctx={ctx} title="Actions">
      <h1>Actions</h1>
      <p class="muted">Actions are notified when a check that lists them changes state.</p>
      {p.flash ? (
        <div class="notice" role="status">
          {p.flash}
        </div>
      ) : null}
      {ctx.can.operate ? (
        <div class="toolbar">
          <a class="btn primary" href="/action">
            <Icon name="plus" assets={ctx.assets} /> Add action
          </a>
        </div>
      ) : null}
      <table class="rows">
        <thead>
          <tr>
            <th>Action</th>
            <th>Type</th>
            <th>Used by</th>
            <th>State</th>
            <th>Delivery</th>
            <th>Last sent</th>
            <th>Waiting / given up</th>
            <th>Last error</th>
            {ctx.can.operate ? <th>Actions</th> : null}
          </tr>
        </thead>
        <tbody>
          {p.rows.length === 0 ? (
            <tr>
              <td colspan={9} class="muted">
                No actions yet.
              </td>
            </tr>
          ) : null}
          {p.rows.map((r) => (
            <tr>
              <td data-label="Action">
                <a href={actionUrl(r.name)}>{r.name}</a>
              </td>
              <td data-label="Type">{r.type}</td>
              <td data-label="Used by">{r.used} checks</td>
              <td data-label="State">
                {r.active ? (
                  <span class="ok">ready</span>
                ) : (
                  <span class="err" title={r.errors.join('; ')}>
                    config error
                  </span>
                )}
              </td>
              <td data-label="Delivery">
                <HealthBadge h={r.health} />
              </td>
              <td data-label="Last sent">{r.health?.lastSent || 'never'}</td>
              <td data-label="Waiting / given up">{r.health ? `${r.health.queued} / ${r.health.failed}` : ''}</td>
              <td data-label="Last error" class="lasterr">
                {r.health?.lastError ? `${r.health.lastError} (${r.health.lastErrorAt})` : ''}
              </td>
              {ctx.can.operate ? (
                <td data-label="Actions">
                  <form method="post" action={actionUrl(r.name, '/test')} class="acts">
                    <Csrf token={ctx.csrf} />
                    <button type="submit">Test</button>
                    <a class="btn" href={actionUrl(r.name)}>
                      <Icon name="edit" assets={ctx.assets} />
                      <span class="sr-only">Edit {r.name}</span>
                    </a>
                    <a class="btn danger" href={actionUrl(r.name, '/delete')}>
                      <Icon name="delete" assets={ctx.assets} />
                      <span class="sr-only">Delete {r.name}</span>
                    </a>
                  </form>
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </Page>
  );
}

export function ActionFields(p: PropsOf<'ActionFields'>): Child {
  return (
    <fieldset id="action-fields">
      <legend>{p.type ? `${p.type} options` : 'Options'}</legend>
      {p.summary ? <p class="help muted">{p.summary}</p> : null}
      <OptionFields fields={p.fields} prefix="opt." s={p.s} checkNames={[]} />
      {p.fields.length === 0 ? <p class="muted">This type has no options.</p> : null}
    </fieldset>
  );
}

export function ActionPage(p: PropsOf<'ActionPage'>): Child {
  const { ctx, d } = p;
  const title = d.name === null ? 'Add action' : `Action ${d.name}`;
  return (
    <Page ctx={ctx} title={title}>
      <h1>{d.name === null ? 'Add action' : d.name}</h1>
      {d.test ? (
        <div class={d.test.ok ? 'notice ok' : 'errors'} role="status">
          {d.test.message}
        </div>
      ) : null}
      {d.name !== null && ctx.can.operate ? (
        <form method="post" action={actionUrl(d.name, '/test')} class="toolbar">
          <Csrf token={ctx.csrf} />
          <input type="hidden" name="back" value="edit" />
          <button type="submit">Test action</button>
          <a class="btn danger" href={actionUrl(d.name, '/delete')}>
            <Icon name="delete" assets={ctx.assets} /> Delete
          </a>
        </form>
      ) : null}
      {d.name !== null ? <ActionHealthPanel h={d.health} /> : null}
      {ctx.can.operate ? (
        <form method="post" action={d.name === null ? '/action' : actionUrl(d.name)} class="stack" novalidate>
          <Csrf token={ctx.csrf} />
          {d.name !== null ? <input type="hidden" name="oldName" id="f-oldName" value={d.name} /> : null}
          <input type="hidden" name="version" value={d.version} />
          {d.conflict ? (
            <div class="errors" role="alert">
              <strong>This action was changed by someone else since you opened it.</strong> Your changes were not saved; reload and apply them again.
            </div>
          ) : null}
          <ErrorList errors={d.s.general} />
          <TextField name="name" label="Name" s={d.s} required />
          <SelectField
            name="actionType"
            label="Type"
            s={d.s}
            choices={d.types}
            extra={{ 'hx-get': '/ui/action-fields', 'hx-target': '#action-fields', 'hx-swap': 'outerHTML', 'hx-include': '#f-oldName' }}
          />
          <ActionFields {...d.fields} />
          <PickField name="incheck" label="Used by checks" s={d.s} options={d.checkNames} />
          <div class="toolbar">
            <button type="button" id="preview-button" hx-post="/ui/action-preview" hx-target="#template-preview" hx-swap="innerHTML" hx-include="closest form">
              Preview message
            </button>
          </div>
          <div id="template-preview" aria-live="polite" />
          <div class="toolbar">
            <button type="submit" class="primary">
              {d.name === null ? 'Add action' : 'Save'}
            </button>
          </div>
        </form>
      ) : (
        <p class="muted">Viewers cannot change actions.</p>
      )}
      {d.name !== null ? (
        <>
          <h2>Recent notifications</h2>
          <Deliveries rows={d.deliveries} zoneTime={d.zoneTime} showCheck />
        </>
      ) : null}
    </Page>
  );
}
