/**
 * The checks page (spec §8.3, issue 22): a banner while anything fails, filter
 * chips (state, type, instance) and a name search — all plain links and a GET
 * form, the query in the URL, so they work without script — then the failing
 * checks pinned first, one table per sequence, "Not sequenced", and a pager
 * with page numbers above and below (beside the top one, rows per page: 50,
 * 100 or 200, `?per=`). Row actions submit the page's one form.
 * The list morphs itself in place when the configuration changes (live
 * `sw-config` event), so focus stays where it was.
 */
import type { Child } from 'hono/jsx';
import {
  type CheckList,
  DISPLAY_STATES,
  type DisplayState,
  type ListQuery,
  PAGE_ROWS,
  PER_PAGE,
  plural,
  queryString,
  type Section,
} from '../../src/web/view-data.ts';
import { Page } from '../layout.tsx';
import { Icon, checkUrl } from '../ui.tsx';
import { ActionsForm, Beats, CheckRow, RowActions, TriggerIcon, Uptimes, type RowCtx } from '../partials/check-row.tsx';
import { StateBadge } from '../partials/state-badge.tsx';
import { FailBanner } from '../partials/fail-banner.tsx';
import type { PropsOf } from '../../src/web/view-data.ts';

export type { ChecksPageData } from '../../src/web/view-data.ts';

const STATE_WORD: Record<DisplayState, string> = {
  FAIL: 'Failing',
  SOFTFAIL: 'Soft fail',
  ERROR: 'Config error',
  PENDING: 'Pending',
  PAUSED: 'Paused',
  WARN: 'Warning',
  PASS: 'Passing',
};

function listUrl(q: ListQuery, change: Partial<ListQuery>): string {
  const qs = queryString({ ...q, ...change, page: change.page ?? 1 });
  return `/checks${qs ? `?${qs}` : ''}`;
}

function GroupTable(p: { s: Section; ctx: RowCtx }): Child {
  const { s, ctx } = p;
  const h = s.header;
  const failing = s.kind === 'failing';
  const title = failing ? 'Failing' : h ? h.name : 'Not sequenced';
  const hg = h ? ctx.glance(h) : null;
  return (
    <section
      class={`group${failing ? ' failing-first' : ''}`}
      data-group={failing ? '!failing' : (s.seq ?? '')}
      aria-label={failing ? 'failing checks' : h ? `sequence ${h.name}` : 'checks not in a sequence'}
    >
      <div class="grouphead">
        {h ? (
          <>
            <h2>
              <a href={checkUrl(h.name)}>{h.name}</a>
            </h2>
            <StateBadge vm={h} assets={ctx.assets} level={false} />
            {hg ? (
              <span class="glance">
                <Beats g={hg} />
                <Uptimes g={hg} />
              </span>
            ) : null}
            <TriggerIcon vm={h} assets={ctx.assets} now={ctx.now} />
            {s.continued ? <span class="muted">(continued)</span> : null}
            {ctx.operate ? <RowActions vm={h} group={undefined} ctx={ctx} first={s.firstSeq} last={s.lastSeq} menuId={`g-${h.id}-m`} /> : null}
          </>
        ) : (
          <h2>
            {title} {failing ? <span class="muted">({s.total})</span> : null} {s.continued ? <span class="muted">(continued)</span> : null}
          </h2>
        )}
      </div>
      <table class="rows">
        <caption class="sr-only">{title}</caption>
        <thead>
          <tr>
            <th scope="col">Check</th>
            <th scope="col">State</th>
            <th scope="col">Last runs and uptime</th>
            <th scope="col">Run time</th>
            <th scope="col">Last run</th>
            <th scope="col">Next run</th>
            {ctx.operate ? (
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {s.rows.length === 0 ? (
            <tr>
              <td colspan={7} class="muted">
                No checks.
              </td>
            </tr>
          ) : null}
          {s.rows.map((r) => (
            <CheckRow vm={r.vm} group={s.seq} failing={failing} ctx={ctx} first={r.first} last={r.last} />
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Page numbers: the first, the last, and two either side of the current one. */
export function pageNumbers(page: number, pages: number): (number | null)[] {
  const out: (number | null)[] = [];
  for (let i = 1; i <= pages; i++) {
    if (i === 1 || i === pages || Math.abs(i - page) <= 2) out.push(i);
    else if (out[out.length - 1] !== null) out.push(null);
  }
  return out;
}

function Pager(p: { list: CheckList; where: string }): Child {
  const { list } = p;
  if (list.pages <= 1) return null;
  const link = (page: number): string => listUrl(list.query, { page });
  return (
    <nav class="pager" aria-label={`pages (${p.where})`}>
      {list.page > 1 ? (
        <a href={link(list.page - 1)} rel="prev">
          ← Previous
        </a>
      ) : null}
      <ol>
        {pageNumbers(list.page, list.pages).map((n) =>
          n === null ? (
            <li class="muted">…</li>
          ) : (
            <li>
              {n === list.page ? (
                <a aria-current="page" href={link(n)}>
                  {n}
                </a>
              ) : (
                <a href={link(n)} aria-label={`page ${n}`}>
                  {n}
                </a>
              )}
            </li>
          ),
        )}
      </ol>
      {list.page < list.pages ? (
        <a href={link(list.page + 1)} rel="next">
          Next →
        </a>
      ) : null}
      <span class="muted">{plural(list.rows, 'row')}</span>
    </nav>
  );
}

/** Rows per page: plain links (the rest of the query kept, back to page 1), shown while there is a choice to make. */
function PerPage(p: { list: CheckList }): Child {
  const { list } = p;
  if (list.rows <= PER_PAGE[0] && list.query.per === PAGE_ROWS) return null;
  return (
    <div class="perpage" role="group" aria-labelledby="per-label">
      <span id="per-label" class="muted">
        Rows per page
      </span>
      {PER_PAGE.map((n) => (
        <a href={listUrl(list.query, { per: n })} aria-current={n === list.query.per ? 'true' : undefined} aria-label={`${n} rows per page`}>
          {n}
        </a>
      ))}
    </div>
  );
}

/** The list itself: reloaded (morphed) as a whole on configuration changes. */
export function CheckListView(p: PropsOf<'CheckListView'>): Child {
  const { list } = p;
  const qs = queryString(list.query);
  return (
    <div id="checklist" hx-get={`/checks/list${qs ? `?${qs}` : ''}`} hx-trigger="sw-config from:body" hx-swap="outerMorph">
      <div class="listbar">
        <Pager list={list} where="top" />
        <PerPage list={list} />
      </div>
      {list.sections.length === 0 ? <p class="muted">No checks match.</p> : null}
      {list.sections.map((s) => (
        <GroupTable s={s} ctx={p.ctx} />
      ))}
      <Pager list={list} where="bottom" />
    </div>
  );
}

function Chip(p: { href: string; on: boolean; children: Child }): Child {
  return (
    <a class={`chip${p.on ? ' on' : ''}`} href={p.href} aria-current={p.on ? 'true' : undefined}>
      {p.children}
    </a>
  );
}

/** Filter chips: one choice per row of chips, each a link with the whole query (no script needed). */
export function Chips(p: PropsOf<'Chips'>): Child {
  const { q } = p;
  return (
    <div id="chips" class="chips" role="group" aria-label="filters" hx-swap-oob={p.oob ? 'true' : undefined}>
      <div class="chiprow">
        <span class="muted">State</span>
        <Chip href={listUrl(q, { state: '' })} on={q.state === ''}>
          All {p.counts.total}
        </Chip>
        {DISPLAY_STATES.filter((s) => p.counts[s] > 0 || s === q.state).map((s) => (
          <Chip href={listUrl(q, { state: s })} on={q.state === s}>
            {STATE_WORD[s]} {p.counts[s]}
          </Chip>
        ))}
      </div>
      {p.types.length > 1 ? (
        <div class="chiprow">
          <span class="muted">Type</span>
          <Chip href={listUrl(q, { type: '' })} on={q.type === ''}>
            Any
          </Chip>
          {p.types.map(([t, n]) => (
            <Chip href={listUrl(q, { type: t })} on={q.type === t}>
              {t} {n}
            </Chip>
          ))}
        </div>
      ) : null}
      {p.tags.length > 0 ? (
        <div class="chiprow">
          <span class="muted">Tag</span>
          <Chip href={listUrl(q, { tag: '' })} on={q.tag === ''}>
            Any
          </Chip>
          {p.tags.map(([t, n]) => (
            <Chip href={listUrl(q, { tag: t })} on={q.tag === t}>
              {t} {n}
            </Chip>
          ))}
          {q.tag && !p.tags.some(([t]) => t === q.tag) ? (
            <Chip href={listUrl(q, { tag: q.tag })} on>
              {q.tag} 0
            </Chip>
          ) : null}
        </div>
      ) : null}
      {p.remote > 0 ? (
        <div class="chiprow">
          <span class="muted">Instance</span>
          <Chip href={listUrl(q, { instance: '' })} on={q.instance === ''}>
            Any
          </Chip>
          <Chip href={listUrl(q, { instance: 'local' })} on={q.instance === 'local'}>
            This one
          </Chip>
          <Chip href={listUrl(q, { instance: 'remote' })} on={q.instance === 'remote'}>
            Other instances {p.remote}
          </Chip>
        </div>
      ) : null}
    </div>
  );
}

export function ChecksPage(p: PropsOf<'ChecksPage'>): Child {
  const { ctx, d } = p;
  const q = d.list.query;
  return (
    <Page ctx={ctx} title="Checks">
      <h1>Checks</h1>
      <FailBanner counts={d.counts} />
      {d.flash ? (
        <div class="notice" role="status">
          {d.flash}
        </div>
      ) : null}
      <div class="toolbar">
        {ctx.can.operate ? (
          <a class="btn primary" href="/check">
            <Icon name="plus" assets={ctx.assets} /> Add check
          </a>
        ) : null}
        <form
          class="filters"
          method="get"
          action="/checks"
          role="search"
          hx-get="/checks/list"
          hx-target="#checklist"
          hx-swap="outerHTML"
          hx-trigger="input delay:300ms, submit"
        >
          {q.type ? <input type="hidden" name="type" value={q.type} /> : null}
          {q.state ? <input type="hidden" name="state" value={q.state} /> : null}
          {q.instance ? <input type="hidden" name="instance" value={q.instance} /> : null}
          {q.tag ? <input type="hidden" name="tag" value={q.tag} /> : null}
          {q.per !== PAGE_ROWS ? <input type="hidden" name="per" value={String(q.per)} /> : null}
          <label for="flt-q">Name</label>
          <input type="search" id="flt-q" name="q" value={q.q} />
          <button type="submit">Search</button>
        </form>
      </div>
      <Chips q={q} counts={d.counts} types={d.types} tags={d.tags} remote={d.remote} />
      {ctx.can.operate ? <ActionsForm csrf={ctx.csrf} back={p.rowCtx.back} /> : null}
      <CheckListView list={d.list} ctx={p.rowCtx} />
    </Page>
  );
}
