/**
 * Status pages for signed-in users: the list, the page's settings (operators
 * edit them) and its incidents (operators open, update and resolve them).
 * The public page itself is views/pages/status-page.tsx.
 */
import type { Child } from 'hono/jsx';
import { type Incident, type PropsOf } from '../../src/web/view-data.ts';
import { Page } from '../layout.tsx';
import { Csrf, ErrorList, type PageCtx } from '../ui.tsx';
import { CheckboxField, SelectField, TextAreaField, TextField, type FormState } from '../partials/fields.tsx';
import { IncidentView } from './status-page.tsx';

const enc = encodeURIComponent;
const STAGES: [string, string][] = [
  ['investigating', 'Investigating'],
  ['identified', 'Identified'],
  ['monitoring', 'Monitoring'],
  ['resolved', 'Resolved'],
];

export function StatusPagesList(p: PropsOf<'StatusPagesList'>): Child {
  const { ctx } = p;
  return (
    <Page ctx={ctx} title="Status pages">
      <h1>Status pages</h1>
      <p class="muted">
        Pages that show chosen checks, their uptime and your incident reports, at /status/ followed by the page's slug. A public page can be read without
        signing in.
      </p>
      {p.flash ? (
        <div class="notice ok" role="status">
          {p.flash}
        </div>
      ) : null}
      {ctx.can.operate ? (
        <div class="toolbar">
          <a class="btn primary" href="/status-pages/new">
            New status page
          </a>
        </div>
      ) : null}
      {p.pages.length === 0 ? (
        <p>No status pages yet.</p>
      ) : (
        <table class="rows">
          <thead>
            <tr>
              <th>Page</th>
              <th>Address</th>
              <th>Who can read it</th>
              <th>Open incidents</th>
              <th>Manage</th>
            </tr>
          </thead>
          <tbody>
            {p.pages.map((s) => (
              <tr>
                <td data-label="Page">{s.title}</td>
                <td data-label="Address">
                  <a href={`/status/${s.slug}`}>{`/status/${s.slug}`}</a>
                </td>
                <td data-label="Who can read it">{s.public ? 'anyone' : 'signed-in users'}</td>
                <td data-label="Open incidents">{String(p.open[s.slug] ?? 0)}</td>
                <td data-label="Manage">
                  <a href={`/status-pages/${enc(s.slug)}`}>
                    {ctx.can.operate ? `Edit and report incidents` : 'Incidents'}
                    <span class="sr-only">{` of ${s.title}`}</span>
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}

function SettingsForm(p: { ctx: PageCtx; slug: string | null; s: FormState }): Child {
  const { ctx, s } = p;
  return (
    <form method="post" action={p.slug === null ? '/status-pages' : `/status-pages/${enc(p.slug)}`} class="stack" novalidate>
      <Csrf token={ctx.csrf} />
      <ErrorList errors={s.general} />
      <TextField name="slug" label="Slug" s={s} required help="the page's address: /status/slug (lower-case letters, digits and -)" />
      <TextField name="title" label="Title" s={s} required />
      <TextAreaField name="description" label="Description" s={s} help="a sentence or two under the title (optional)" />
      <TextField name="logo" label="Logo" s={s} help="an image path on this server (/…) or a data:image address (optional)" />
      <CheckboxField name="public" label="Public: anyone may read it without signing in" s={s} />
      <CheckboxField name="responseTime" label="Show response times" s={s} />
      <TextAreaField
        name="groups"
        label="Groups and checks"
        s={s}
        help={
          'A line starting with # starts a group, e.g. "# Mail". Every other line is a check name; write "check name => Label" to show it under another name. Only these names are shown: no hosts, options or logs.'
        }
      />
      <div class="toolbar">
        <button type="submit" class="primary">
          {p.slug === null ? 'Create page' : 'Save'}
        </button>
      </div>
    </form>
  );
}

export function StatusPageNew(p: PropsOf<'StatusPageNew'>): Child {
  return (
    <Page ctx={p.ctx} title="New status page">
      <h1>New status page</h1>
      <SettingsForm ctx={p.ctx} slug={null} s={p.s} />
    </Page>
  );
}

function OpenIncidentForm(p: { ctx: PageCtx; slug: string; s: FormState }): Child {
  const { s } = p;
  return (
    <form method="post" action={`/status-pages/${enc(p.slug)}/incidents`} class="stack card" novalidate>
      <h3>Report an incident</h3>
      <Csrf token={p.ctx.csrf} />
      <ErrorList errors={s.general} />
      <TextField name="title" label="Title" s={s} required />
      <SelectField
        name="impact"
        label="Impact"
        s={s}
        choices={[
          ['minor', 'Minor: partial outage'],
          ['major', 'Major: major outage'],
        ]}
      />
      <SelectField name="status" label="Status" s={s} choices={STAGES} />
      <TextAreaField name="body" label="What is happening" s={s} />
      <div class="toolbar">
        <button type="submit" class="primary">
          Publish incident
        </button>
      </div>
    </form>
  );
}

function UpdateForm(p: { ctx: PageCtx; slug: string; i: Incident }): Child {
  const id = `u${p.i.id}`;
  return (
    <form method="post" action={`/status-pages/${enc(p.slug)}/incidents/${p.i.id}`} class="stack" novalidate>
      <Csrf token={p.ctx.csrf} />
      <div class="field">
        <label for={`${id}-status`}>Status</label>
        <select id={`${id}-status`} name="status">
          {STAGES.map(([v, l]) => (
            <option value={v} selected={v === p.i.updates[0]?.status}>
              {l}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for={`${id}-body`}>Update</label>
        <textarea id={`${id}-body`} name="body" rows={3} required />
      </div>
      <div class="toolbar">
        <button type="submit">Post update</button>
      </div>
    </form>
  );
}

export function StatusPageManage(p: PropsOf<'StatusPageManage'>): Child {
  const { ctx, page } = p;
  return (
    <Page ctx={ctx} title={`Status page ${page.title}`}>
      <h1>{page.title}</h1>
      <p>
        <a href={`/status/${page.slug}`}>View the page</a>
        {page.public ? ' (public)' : ' (signed-in users only)'}
      </p>
      {p.flash ? (
        <div class="notice ok" role="status">
          {p.flash}
        </div>
      ) : null}
      {p.error ? (
        <div class="errors" role="alert">
          {p.error}
        </div>
      ) : null}
      <h2>Incidents</h2>
      {ctx.can.operate ? <OpenIncidentForm ctx={ctx} slug={page.slug} s={p.incident} /> : null}
      {p.incidents.length === 0 ? (
        <p>No incidents in the last 90 days.</p>
      ) : (
        p.incidents.map((i) => (
          <IncidentView i={i}>
            <p class="muted">{`Written by ${[...new Set(i.updates.map((u) => u.author))].join(', ')}`}</p>
            {ctx.can.operate && i.resolved === null ? <UpdateForm ctx={ctx} slug={page.slug} i={i} /> : null}
          </IncidentView>
        ))
      )}
      {ctx.can.operate ? (
        <>
          <h2>Settings</h2>
          <SettingsForm ctx={ctx} slug={page.slug} s={p.s} />
          <form method="post" action={`/status-pages/${enc(page.slug)}/delete`} class="toolbar">
            <Csrf token={ctx.csrf} />
            <button type="submit" class="danger">
              Delete this page
            </button>
          </form>
        </>
      ) : null}
    </Page>
  );
}
