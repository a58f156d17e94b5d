/**
 * Rendering helpers: the page context of a request, HTML responses, and the
 * live fragments shared by the SSE stream and htmx responses (one partial
 * per widget, whichever way it reaches the page).
 */
import type { ZoneTrust } from '../zone/guard.ts';
import type { Child } from 'hono/jsx';
import type { WebSite } from './web-site.ts';
import { isFailing } from '../engine/state.ts';
import { displayTime } from '../util/time.ts';
import { selfCheckSet } from '../config/init.ts';
import { allows } from './auth.ts';
import { authOf, type WebContext } from './context.ts';
import type { WebDeps } from './deps.ts';
import { checkVM, counts, grouping, neverRun, type CheckVM } from './model.ts';
import type { StateTally } from './tally.ts';
import { buildList, parseQuery, queryString, rowsOf, type CheckList } from './checklist.ts';
import { sparkline, transitions, uptimes, type DeliveryRecord } from './history.ts';
import { viewQuery, type Batch, type LiveClient, type LiveMessage, type LiveView } from './live.ts';
import type { ChecksPageData, HistoryProps, HomeData, PageCtx, RowCtx } from './view-data.ts';
import { THEME_COOKIE, ThemeContext, themeOf } from './theme.ts';
import { fleetLive } from './fleet-live.ts';
import { getCookie } from 'hono/cookie';

export async function toHtml(node: Child): Promise<string> {
  if (node === null || node === undefined || typeof node === 'boolean') return '';
  return String(await (node as { toString(): string | Promise<string> }).toString());
}

export function pageCtx(c: WebContext, d: WebDeps, live: LiveView | null): PageCtx {
  const a = authOf(c);
  return {
    site: d.site.name,
    user: a.user,
    role: a.role,
    csrf: a.session.csrf,
    assets: d.assets,
    failCount: d.tally.counts().FAIL,
    path: new URL(c.req.url).pathname,
    can: { operate: allows(a.role, 'operator'), admin: allows(a.role, 'admin') },
    live: live ? viewQuery(live) : null,
    storage: d.site.storage.problem?.message ?? null,
    zoneTrust: zoneTrustLine(d.site.zone?.trust?.() ?? null),
    fleet: !!d.fleet,
  };
}

/** The line the layout shows of the zone's message authentication (src/zone/guard.ts), in words for people. */
function zoneTrustLine(t: ZoneTrust | null): PageCtx['zoneTrust'] {
  if (!t) return null;
  if (t.onlyRejected)
    return { alert: true, text: 'This node rejects every message it hears from the other nodes of its zone. Check that every node has the same zone key.' };
  if (!t.authenticated)
    return {
      alert: false,
      text: 'The zone is not authenticated: anyone who can publish to the broker can change the configuration of every node. Set a zone key.',
    };
  return null;
}

export async function html(
  c: WebContext,
  node: Child,
  status: 200 | 201 | 400 | 401 | 403 | 404 | 409 | 410 | 422 | 413 | 429 | 500 | 503 = 200,
): Promise<Response> {
  // the remembered light/dark choice, so the first paint is right (views/theme.tsx)
  const theme = themeOf(getCookie(c, THEME_COOKIE));
  return c.html(await toHtml(<ThemeContext.Provider value={theme}>{node}</ThemeContext.Provider>), status);
}

/** A row context for the checks list: the at-a-glance figures come from the kept ones (src/web/glance-cache.ts). */
export function rowContext(site: WebSite, d: WebDeps, who: Who, back: string): RowCtx {
  return {
    assets: d.assets,
    csrf: who.csrf,
    operate: who.operate,
    back,
    now: site.clock.now(),
    glance: (vm) => d.glances.get(vm.name, vm.zone),
  };
}

/** The checks page's data for a query (the list is built separately: it is what the page and its reloads share). */
export function checksData(site: WebSite, list: CheckList, tally: StateTally): ChecksPageData {
  return { list, counts: tally.counts(), ...tally.kinds() };
}

/** How many failing cards the home page shows before "N more…". */
const HOME_CARDS = 100;

/** Tiles in the home page's "at a glance" grid before "all N checks". */
const HOME_TILES = 60;

export function homeData(site: WebSite, tally?: StateTally): HomeData {
  const g = grouping(site);
  const failing: CheckVM[] = [];
  let more = 0;
  const failingNow = (name: string): boolean => {
    const s = site.state(name);
    return isFailing(s.failState) && !neverRun(s) && !site.entry(name)?.config.paused;
  };
  for (const e of site.sortedChecks()) {
    const name = e.config.name;
    if (!failingNow(name)) continue;
    // a member is shown inside its sequence's card when that sequence fails too; a member
    // failing before its sequence does (or in a passing one) gets its own card (issue 22: the page was blank)
    if ((g.inseqs.get(name) ?? []).some(failingNow)) continue;
    if (failing.length < HOME_CARDS) failing.push(checkVM(site, name)!);
    else more++;
  }
  // at a glance: each sequence, then the checks in none
  const tiles: CheckVM[] = [];
  for (const grp of g.groups) {
    for (const name of grp.seq !== null ? [grp.seq] : grp.members) {
      if (tiles.length >= HOME_TILES) break;
      tiles.push(checkVM(site, name)!);
    }
  }
  const starter = new Set(Object.keys(selfCheckSet()));
  const start = {
    ownCheck: [...site.loaded.checks.keys()].some((n) => !starter.has(n)),
    notifies: [...site.loaded.actions.values()].some((a) => a.config.type !== 'log'),
  };
  return { site: site.name, counts: tally ? tally.counts() : counts(site), failing, more, anyFailing: failing.length > 0, tiles, start };
}

export function historyProps(site: WebSite, vm: CheckVM, deliveries: Awaited<ReturnType<typeof checkDeliveries>>, oob = false): HistoryProps {
  const zone = site.entry(vm.name)?.zone ?? null;
  return {
    id: vm.id,
    uptime: uptimes(site, vm.name),
    spark: sparkline(site, vm.name),
    transitions: transitions(site, vm.name),
    deliveries,
    zoneTime: (t) => displayTime(t, zone),
    oob,
  };
}

export function checkDeliveries(site: WebSite, name: string): Promise<DeliveryRecord[] | null> {
  try {
    return Promise.resolve(site.notifier.deliveries({ check: name, limit: 20 }));
  } catch {
    return Promise.resolve(null);
  }
}

export interface Who {
  csrf: string;
  operate: boolean;
}

/** The live partials of one page for a set of changes. */
export async function fragment(
  site: WebSite,
  d: WebDeps,
  view: LiveView,
  who: Who,
  b: Pick<Batch, 'states' | 'ran' | 'lines'> & Partial<Pick<Batch, 'fleet'>>,
): Promise<string> {
  const { CheckStatus, Chips, FailBadge, FailBanner, FleetHead, FleetList, History, HomeMain, HostCard, HostGrid, LiveRow, LogBlock, SiteLogAppend, Summary } =
    d.pages;
  const parts: Child[] = [];
  const anyState = b.states.size > 0;
  if (anyState) parts.push(<FailBadge count={d.tally.counts().FAIL} oob />);
  switch (view.kind) {
    case 'home':
      if (anyState) {
        parts.push(<Summary counts={d.tally.counts()} assets={d.assets} oob />);
        parts.push(<FailBanner counts={d.tally.counts()} oob />);
      }
      if (anyState || b.ran.size > 0) parts.push(<HomeMain d={homeData(site, d.tally)} ctx={rowContext(site, d, who, '/')} oob />);
      break;
    case 'checks': {
      // rows change with every run (last run, next run, the heartbeat bar), not only with the state
      const changed = new Set([...b.states, ...b.ran]);
      if (changed.size === 0) break;
      const q = new URLSearchParams(view.query);
      const list = buildList(
        site,
        parseQuery((k) => q.get(k) ?? undefined),
        { display: (e) => d.tally.display(e) },
      );
      if (anyState) {
        const data = checksData(site, list, d.tally);
        parts.push(<FailBanner counts={data.counts} oob />);
        parts.push(<Chips q={list.query} counts={data.counts} types={data.types} tags={data.tags} remote={data.remote} oob />);
      }
      const shown = new Set<string>();
      for (const s of list.sections) {
        if (s.seq !== null) shown.add(s.seq);
        for (const r of s.rows) shown.add(r.vm.name);
      }
      const back = `/checks${queryString(list.query) ? `?${queryString(list.query)}` : ''}`;
      const rowCtx = rowContext(site, d, who, back);
      // rows go as htmx partials (<template>s): a <tr> after other markup in one message is dropped by the HTML parser
      for (const name of changed) {
        if (!shown.has(name)) continue;
        for (const { group, failing, row } of rowsOf(site, name)) {
          parts.push(<LiveRow vm={row.vm} group={group} failing={failing} ctx={rowCtx} first={row.first} last={row.last} />);
        }
      }
      break;
    }
    case 'check': {
      const vm = checkVM(site, view.name);
      if (!vm) break;
      if (b.states.has(view.name)) {
        parts.push(<CheckStatus vm={vm} assets={d.assets} inseqs={grouping(site).inseqs.get(vm.name) ?? []} oob />);
        parts.push(<LogBlock vm={vm} id oob />);
      }
      if (b.ran.has(view.name) || b.states.has(view.name)) {
        parts.push(<History {...historyProps(site, vm, await checkDeliveries(site, vm.name), true)} />);
      }
      break;
    }
    case 'log':
      if (b.lines.length) parts.push(<SiteLogAppend lines={b.lines} />);
      break;
    case 'hosts': {
      // only the cards of the hosts whose checks changed; every card when hosts came or went (src/web/hosts/board.ts)
      const changed = new Set([...b.states, ...b.ran]);
      if (changed.size === 0) break;
      const now = site.clock.now();
      const cards = d.hosts.changed(changed);
      if (cards === null) parts.push(<HostGrid hosts={d.hosts.all()} now={now} oob />);
      else for (const h of cards) parts.push(<HostCard host={h} now={now} oob />);
      break;
    }
    case 'fleet':
      // the zones, or this page's checks, when they changed (src/web/fleet-live.tsx)
      if (b.fleet && d.fleet) {
        const f = fleetLive(d.fleet, view.query, b.fleet);
        if (f.head) parts.push(<FleetHead d={f.d} oob />);
        if (f.list) parts.push(<FleetList d={f.d} oob />);
      }
      break;
    default:
      break;
  }
  const out = await Promise.all(parts.map(toHtml));
  return out.join('\n');
}

/** Messages for one live client. */
export async function liveMessages(site: WebSite, d: WebDeps, client: LiveClient, b: Batch): Promise<LiveMessage[]> {
  const msgs: LiveMessage[] = [];
  const v = client.view;
  let states = b.states;
  if (b.config) {
    if (v.kind === 'checks') msgs.push({ event: 'sw-config', data: '' });
    // the batch is shared by every client: extend a copy
    if (v.kind === 'home' || v.kind === 'page' || v.kind === 'hosts') states = new Set([...b.states, ...b.config.changed, ...b.config.removed]);
    if (v.kind === 'check') {
      const touched = b.config.changed.has(v.name) || b.config.removed.has(v.name) || b.config.renamed.some(([from]) => from === v.name);
      if (touched) {
        const gone = !site.entry(v.name);
        const note = gone ? 'This check was renamed or deleted elsewhere.' : 'This check was changed elsewhere: reload the page before editing it.';
        msgs.push({ data: `<div id="notice" class="notice" role="status" hx-swap-oob="true">${escapeText(note)}</div>` });
      }
    }
  }
  const html = await fragment(site, d, v, client, { ...b, states });
  if (html) msgs.push({ data: html });
  return msgs;
}

function escapeText(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
