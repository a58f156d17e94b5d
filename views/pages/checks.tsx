/**
 * The checks page (spec §8.3): one table per sequence (header: the sequence
 * with its state, run, clone, trigger, edit, move, delete), then "Not
 * sequenced". Filter by name, type and state; paged. The list reloads itself
 * when the configuration changes (live `sw-config` event).
 */
import type { Child } from 'hono/jsx';
import { type CheckList, type Counts, DISPLAY_STATES, queryString, type Section } from '../../src/web/view-data.ts';
import { Page } from '../layout.tsx';
import { Icon, checkUrl, type PageCtx } from '../ui.tsx';
import { CheckRow, RowActions, TriggerIcon, type RowCtx } from '../partials/check-row.tsx';
import { StateBadge } from '../partials/state-badge.tsx';
import { Summary } from '../partials/summary.tsx';

function GroupTable(p: { s: Section; ctx: RowCtx }): Child {
  const { s, ctx } = p;
  const h = s.header;
  const title = h ? h.name : 'Not sequenced';
  return (
    <section class="group" data-group={s.seq ?? ''} aria-label={h ? `sequence ${h.name}` : 'checks not in a sequence'}>
      <div class="grouphead">
        {h ? (
          <>
            <h2><a href={checkUrl(h.name)}>{h.name}</a></h2>
            <StateBadge vm={h} assets={ctx.assets} level={false} />
            <TriggerIcon vm={h} assets={ctx.assets} />
            {s.continued ? <span class="muted">(continued)</span> : null}
            {ctx.operate ? <RowActions vm={h} group={undefined} ctx={ctx} first={s.firstSeq} last={s.lastSeq} /> : null}
          </>
        ) : (
          <h2>Not sequenced {s.continued ? <span class="muted">(continued)</span> : null}</h2>
        )}
      </div>
      <table class="rows">
        <caption class="sr-only">{title}</caption>
        <thead>
          <tr><th scope="col">Check</th><th scope="col">State</th><th scope="col">Last pass</th><th scope="col">Last fail</th><th scope="col">Next run</th>{ctx.operate ? <th scope="col">Actions</th> : null}</tr>
        </thead>
        <tbody>
          {s.rows.length === 0 ? <tr><td colspan={6} class="muted">No checks.</td></tr> : null}
          {s.rows.map((r) => <CheckRow vm={r.vm} group={s.seq} ctx={ctx} first={r.first} last={r.last} />)}
        </tbody>
      </table>
    </section>
  );
}

/** The list itself: reloaded as a whole on configuration changes. */
export function CheckListView(p: { list: CheckList; ctx: RowCtx }): Child {
  const { list } = p;
  const qs = queryString(list.query);
  const link = (page: number): string => `/checks${queryString(list.query, page) ? `?${queryString(list.query, page)}` : ''}`;
  return (
    <div id="checklist" hx-get={`/checks/list${qs ? `?${qs}` : ''}`} hx-trigger="sw-config from:body" hx-swap="outerHTML">
      {list.sections.length === 0 ? <p class="muted">No checks match.</p> : null}
      {list.sections.map((s) => <GroupTable s={s} ctx={p.ctx} />)}
      {list.pages > 1 ? (
        <nav class="pager" aria-label="pages">
          {list.page > 1 ? <a href={link(list.page - 1)} rel="prev">← Previous</a> : null}
          <span>Page {list.page} of {list.pages} ({list.rows} rows)</span>
          {list.page < list.pages ? <a href={link(list.page + 1)} rel="next">Next →</a> : null}
        </nav>
      ) : null}
    </div>
  );
}

export function ChecksPage(p: { ctx: PageCtx; list: CheckList; counts: Counts; types: string[]; flash?: string }): Child {
  const { ctx, list } = p;
  const qs = queryString(list.query);
  const rowCtx: RowCtx = { assets: ctx.assets, csrf: ctx.csrf, operate: ctx.can.operate, back: `/checks${qs ? `?${qs}` : ''}` };
  return (
    <Page ctx={ctx} title="Checks">
      <h1>Checks</h1>
      <Summary counts={p.counts} assets={ctx.assets} />
      {p.flash ? <div class="notice" role="status">{p.flash}</div> : null}
      <div class="toolbar">
        {ctx.can.operate ? <a class="btn primary" href="/check"><Icon name="plus" assets={ctx.assets} /> Add check</a> : null}
      </div>
      <form class="filters" method="get" action="/checks" role="search" hx-get="/checks/list" hx-target="#checklist" hx-swap="outerHTML" hx-trigger="input delay:300ms, change, submit">
        <div class="field"><label for="flt-q">Name</label><input type="search" id="flt-q" name="q" value={list.query.q} /></div>
        <div class="field">
          <label for="flt-type">Type</label>
          <select id="flt-type" name="type">
            <option value="">any</option>
            {p.types.map((t) => <option value={t} selected={t === list.query.type}>{t}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="flt-state">State</label>
          <select id="flt-state" name="state">
            <option value="">any</option>
            {DISPLAY_STATES.map((s) => <option value={s} selected={s === list.query.state}>{s}</option>)}
          </select>
        </div>
        <button type="submit">Filter</button>
      </form>
      <CheckListView list={list} ctx={rowCtx} />
    </Page>
  );
}
