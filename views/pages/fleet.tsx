/**
 * The fleet page (issue 23, docs/fleet.md): the zones this instance watches,
 * their nodes, and every check with its state — filter chips for state and
 * zone (plain links), a pager. A zone or node that went silent is shown as
 * such; a check nobody vouches for now says "silent", never its last PASS.
 * No polling: the live stream (/events?view=fleet, src/web/fleet-live.ts)
 * morphs in the part that changed — the zones and nodes, or the checks list.
 */
import type { Child } from 'hono/jsx';
import { plural, relative, type FleetData, type FleetState, type PropsOf } from '../../src/web/view-data.ts';
import { Page } from '../layout.tsx';
import { ErrorList } from '../ui.tsx';
import { pageNumbers } from './checks.tsx';

const WORD: Record<FleetState, string> = { fail: 'Failing', pass: 'Passing', silent: 'Silent', other: 'Other' };
const STATE_CLASS: Record<FleetState, string> = { fail: 'st-FAIL', pass: 'st-PASS', silent: 'st-silent', other: 'st-PENDING' };

function url(d: FleetData, change: { state?: FleetState | null; zone?: string | null; page?: number }): string {
  const q = new URLSearchParams();
  const state = change.state !== undefined ? change.state : d.state;
  const zone = change.zone !== undefined ? change.zone : d.zone;
  if (state) q.set('state', state);
  if (zone) q.set('zone', zone);
  if ((change.page ?? 1) > 1) q.set('page', String(change.page));
  const s = q.toString();
  return `/fleet${s ? `?${s}` : ''}`;
}

function Chip(p: { on: boolean; href: string; children: Child }): Child {
  return (
    <a class={`chip${p.on ? ' on' : ''}`} href={p.href} aria-current={p.on ? 'true' : undefined}>
      {p.children}
    </a>
  );
}

function Pager(p: { d: FleetData; where: string }): Child {
  const { d } = p;
  if (d.page.pages <= 1) return null;
  const link = (n: number): string => url(d, { page: n });
  return (
    <nav class="pager" aria-label={`pages (${p.where})`}>
      {d.page.page > 1 ? (
        <a href={link(d.page.page - 1)} rel="prev">
          ← Previous
        </a>
      ) : null}
      <ol>
        {pageNumbers(d.page.page, d.page.pages).map((n) =>
          n === null ? (
            <li class="muted">…</li>
          ) : (
            <li>
              <a href={link(n)} aria-current={n === d.page.page ? 'page' : undefined} aria-label={n === d.page.page ? undefined : `page ${n}`}>
                {n}
              </a>
            </li>
          ),
        )}
      </ol>
      {d.page.page < d.page.pages ? (
        <a href={link(d.page.page + 1)} rel="next">
          Next →
        </a>
      ) : null}
    </nav>
  );
}

function Zones(p: { d: FleetData }): Child {
  return (
    <table class="rows">
      <caption class="sr-only">Zones</caption>
      <thead>
        <tr>
          <th scope="col">Zone</th>
          <th scope="col">Nodes up</th>
          <th scope="col">Checks</th>
          <th scope="col">Failing</th>
        </tr>
      </thead>
      <tbody>
        {p.d.zones.map((z) => (
          <tr>
            <td class="name" data-label="Zone">
              <a href={url(p.d, { zone: z.name })}>{z.name}</a> {z.silent ? <span class="state st-silent">silent: no node up</span> : null}
            </td>
            <td data-label="Nodes up" class="num">
              {z.up} of {z.nodes}
            </td>
            <td data-label="Checks" class="num">
              {z.checks}
            </td>
            <td data-label="Failing" class="num">
              {z.failing ? <span class="state st-FAIL">{z.failing}</span> : '0'}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Nodes(p: { d: FleetData }): Child {
  return (
    <table class="rows">
      <caption class="sr-only">Nodes</caption>
      <thead>
        <tr>
          <th scope="col">Node</th>
          <th scope="col">Zone</th>
          <th scope="col">Status</th>
          <th scope="col">Version</th>
          <th scope="col">Checks owned</th>
          <th scope="col">Last heard</th>
        </tr>
      </thead>
      <tbody>
        {p.d.nodes.map((n) => (
          <tr>
            <td class="name" data-label="Node">
              {n.name}
            </td>
            <td data-label="Zone">{n.zone}</td>
            <td data-label="Status">{n.status === 'up' ? <span class="state st-PASS">up</span> : <span class="state st-silent">down</span>}</td>
            <td data-label="Version">{n.version ?? 'unknown'}</td>
            <td data-label="Checks owned" class="num">
              {n.checks}
            </td>
            <td data-label="Last heard">{relative(n.heardAt, p.d.now)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Checks(p: { d: FleetData }): Child {
  const { d } = p;
  if (!d.page.rows.length) return <p class="muted">No checks match.</p>;
  return (
    <table class="rows" id="fleet-checks">
      <caption class="sr-only">Checks</caption>
      <thead>
        <tr>
          <th scope="col">Check</th>
          <th scope="col">Zone</th>
          <th scope="col">State</th>
          <th scope="col">Summary</th>
          <th scope="col">Node</th>
          <th scope="col">Reported</th>
        </tr>
      </thead>
      <tbody>
        {d.page.rows.map((r) => (
          <tr>
            <td class="name" data-label="Check">
              {r.check}
            </td>
            <td data-label="Zone">{r.zone}</td>
            <td data-label="State">
              <span class={`state ${STATE_CLASS[r.state]}`}>{r.state === 'silent' ? 'silent (node down)' : r.shown}</span>
            </td>
            <td data-label="Summary">{r.summary || '–'}</td>
            <td data-label="Node">{r.node}</td>
            <td data-label="Reported">{relative(r.heardAt, d.now)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Live-swapped by id: a partial morphed in place (focus and scroll stay), as the checks page's rows are. */
function Live(p: { id: string; oob?: boolean; children: Child }): Child {
  const el = <div id={p.id}>{p.children}</div>;
  return p.oob ? (
    <hx-partial hx-target={`#${p.id}`} hx-swap="outerMorph">
      {el}
    </hx-partial>
  ) : (
    el
  );
}

/** The connection's health, the zones and their nodes. */
export function FleetHead(p: PropsOf<'FleetHead'>): Child {
  const { d } = p;
  return (
    <Live id="fleet-head" oob={p.oob}>
      {d.problem ? <ErrorList title="The fleet view may be out of date" errors={[d.problem]} /> : null}
      {d.dropped ? <ErrorList title="Too many checks" errors={[`${plural(d.dropped, 'check state')} dropped: the fleet keeps at most ${d.max}.`]} /> : null}
      {!d.zones.length ? (
        <p class="muted">No zone has reported yet. Zones appear here when their nodes publish on the broker (docs/fleet.md).</p>
      ) : (
        <>
          <h2>Zones</h2>
          <Zones d={d} />
          <h2>Nodes</h2>
          <Nodes d={d} />
        </>
      )}
    </Live>
  );
}

/** The filters, the count, the pagers and this page's checks. */
export function FleetList(p: PropsOf<'FleetList'>): Child {
  const { d } = p;
  return (
    <Live id="fleet-list" oob={p.oob}>
      <h2>Checks</h2>
      <div class="chips" role="group" aria-label="filters">
        <div class="chiprow">
          <span class="muted">State</span>
          <Chip on={!d.state} href={url(d, { state: null })}>
            All
          </Chip>
          {(['fail', 'pass', 'silent', 'other'] as const).map((s) => (
            <Chip on={d.state === s} href={url(d, { state: s })}>
              {WORD[s]}
            </Chip>
          ))}
        </div>
        <div class="chiprow">
          <span class="muted">Zone</span>
          <Chip on={!d.zone} href={url(d, { zone: null })}>
            All
          </Chip>
          {d.zones.map((z) => (
            <Chip on={d.zone === z.name} href={url(d, { zone: z.name })}>
              {z.name}
            </Chip>
          ))}
        </div>
      </div>
      <p class="muted" id="fleet-count">
        {plural(d.page.total, 'check')}
        {d.page.pages > 1 ? `, page ${d.page.page} of ${d.page.pages}` : ''}
      </p>
      <Pager d={d} where="top" />
      <Checks d={d} />
      <Pager d={d} where="bottom" />
    </Live>
  );
}

export function FleetPage(p: PropsOf<'FleetPage'>): Child {
  return (
    <Page ctx={p.ctx} title="Fleet">
      <h1>Fleet</h1>
      <FleetHead d={p.d} />
      <FleetList d={p.d} />
    </Page>
  );
}
