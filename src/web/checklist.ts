/**
 * The checks page's content for a filter and a page (spec §8.3 grouping,
 * siteward's filter and pagination so 10,000 checks stay usable).
 */
import type { WebSite } from './web-site.ts';
import { checkType } from '../checks/registry.ts';
import { tagsOf } from '../config/tags.ts';
import type { CheckEntry } from '../config/model.ts';
import { checkVM, DISPLAY_STATES, displayState, grouping, isGroupType, type CheckVM, type DisplayState } from './model.ts';

/**
 * Rows per page a viewer can choose (`?per=`); anything else is the default. 100 by default: the
 * browser's layout and paint of the table grow with its rows (docs/performance.md, "fourth pass").
 */
export const PER_PAGE = [50, 100, 200] as const;
export const PAGE_ROWS = 100;

/** Where a check runs: here, or on another instance (a mirrored `remote` check). */
export type Instance = 'local' | 'remote';

export interface ListQuery {
  q: string;
  type: string;
  state: DisplayState | '';
  instance: Instance | '';
  /** one of the checks' `options.tags` ('' = any) */
  tag: string;
  page: number;
  /** rows per page: one of PER_PAGE */
  per: number;
}

/** States listed in the "Failing" section at the top of an unfiltered list. */
const FAILING = new Set<DisplayState>(['FAIL', 'ERROR', 'SOFTFAIL']);

export interface ListRow {
  vm: CheckVM;
  first: boolean;
  last: boolean;
}

export interface Section {
  /** the failing checks pinned at the top, or a sequence's group / "not sequenced" */
  kind: 'failing' | 'group';
  seq: string | null;
  header: CheckVM | null;
  /** position of the sequence among sequences (for its move buttons) */
  firstSeq: boolean;
  lastSeq: boolean;
  rows: ListRow[];
  continued: boolean;
  /** rows of this group on all pages */
  total: number;
}

export interface CheckList {
  query: ListQuery;
  sections: Section[];
  page: number;
  pages: number;
  /** matching rows on all pages */
  rows: number;
}

const STATES = new Set<string>(DISPLAY_STATES);

export function parseQuery(get: (k: string) => string | undefined): ListQuery {
  const state = (get('state') ?? '').toUpperCase();
  const page = Number.parseInt(get('page') ?? '1', 10);
  return {
    q: (get('q') ?? '').trim(),
    type: checkType(get('type') ?? '') ? (get('type') as string) : '',
    state: STATES.has(state) ? (state as DisplayState) : '',
    instance: get('instance') === 'local' || get('instance') === 'remote' ? (get('instance') as Instance) : '',
    // a tag is at most 256 characters (the schema's limit): a longer one matches nothing, so it is dropped
    tag: (get('tag') ?? '').length <= 256 ? (get('tag') ?? '') : '',
    page: Number.isFinite(page) && page > 0 ? page : 1,
    // only the offered sizes: a bad or huge `per` falls back to the default (never an error)
    per: PER_PAGE.find((n) => String(n) === get('per')) ?? PAGE_ROWS,
  };
}

export function queryString(q: ListQuery, page = q.page): string {
  const p = new URLSearchParams();
  if (q.q) p.set('q', q.q);
  if (q.type) p.set('type', q.type);
  if (q.state) p.set('state', q.state);
  if (q.instance) p.set('instance', q.instance);
  if (q.tag) p.set('tag', q.tag);
  if (q.per !== PAGE_ROWS) p.set('per', String(q.per));
  if (page > 1) p.set('page', String(page));
  return p.toString();
}

/**
 * `display`: each check's state as shown (the web server's kept tally,
 * src/web/tally.ts; computed here without one).
 */
export function buildList(
  site: WebSite,
  query: ListQuery,
  { pageRows = query.per, display = (e: CheckEntry) => displayState(site, e) }: { pageRows?: number; display?: (e: CheckEntry) => DisplayState } = {},
): CheckList {
  const g = grouping(site);
  const needle = query.q.toLowerCase();
  const filtering = needle !== '' || query.type !== '' || query.state !== '' || query.instance !== '' || query.tag !== '';
  const matches = (name: string): boolean => {
    const e = site.entry(name);
    if (!e) return false;
    if (needle && !name.toLowerCase().includes(needle)) return false;
    if (query.type && e.config.type !== query.type) return false;
    if (query.instance && (e.config.type === 'remote') !== (query.instance === 'remote')) return false;
    if (query.tag && !tagsOf(e.config.options).includes(query.tag)) return false;
    if (query.state && display(e) !== query.state) return false;
    return true;
  };
  // pass 1: which rows match, per group (cheap: no view models yet)
  const plan = g.groups
    .map((grp) => {
      const idx: number[] = [];
      grp.members.forEach((m, i) => {
        if (matches(m)) idx.push(i);
      });
      const show = !filtering || idx.length > 0 || (grp.seq !== null && matches(grp.seq));
      return { grp, idx, show, kind: 'group' as Section['kind'] };
    })
    .filter((x) => x.show && (x.grp.seq !== null || x.grp.members.length > 0 || !filtering));
  // failing first (issue 22): without a state filter, the failing checks head the list once more, wherever their group is
  if (!query.state) {
    // in the order the groups list them (each check once)
    const seen = new Set<string>();
    const failing: string[] = [];
    for (const grp of g.groups) {
      for (const name of grp.members) {
        if (seen.has(name)) continue;
        seen.add(name);
        const e = site.entry(name);
        if (e && !isGroupType(e.config.type) && FAILING.has(display(e)) && matches(name)) failing.push(name);
      }
    }
    if (failing.length) plan.unshift({ grp: { seq: null, members: failing }, idx: failing.map((_, i) => i), show: true, kind: 'failing' });
  }
  const rows = plan.reduce((n, x) => n + x.idx.length, 0);
  const pages = Math.max(1, Math.ceil(rows / pageRows));
  const page = Math.min(query.page, pages);
  const from = (page - 1) * pageRows;
  const to = from + pageRows;
  // pass 2: the page's sections, with view models only for what is shown
  const sections: Section[] = [];
  let at = 0;
  for (const { grp, idx, kind } of plan) {
    const start = at;
    const end = at + idx.length;
    at = end;
    const visible = idx.length === 0 ? (start >= from && start < to) || (start === from && rows === 0) : end > from && start < to;
    if (!visible) continue;
    const slice = idx.slice(Math.max(0, from - start), Math.max(0, to - start));
    const seqPos = grp.seq === null ? -1 : g.seqs.indexOf(grp.seq);
    sections.push({
      kind,
      seq: grp.seq,
      header: grp.seq === null ? null : checkVM(site, grp.seq),
      firstSeq: seqPos === 0,
      lastSeq: seqPos === g.seqs.length - 1,
      rows: slice.map((i) => ({ vm: checkVM(site, grp.members[i])!, first: i === 0, last: i === grp.members.length - 1 })),
      continued: start < from,
      total: idx.length,
    });
  }
  return { query: { ...query, page }, sections, page, pages, rows };
}

/** The rows of `name` as the page would draw them (one per group listing it, and one in the failing section). */
export function rowsOf(site: WebSite, name: string): { group: string | null; failing?: boolean; row: ListRow }[] {
  const vm = checkVM(site, name);
  if (!vm) return [];
  const out: { group: string | null; failing?: boolean; row: ListRow }[] = [];
  // a row that just passed keeps its place in the failing section until the list reloads: it is updated there too
  if (!vm.isGroup) out.push({ group: null, failing: true, row: { vm, first: true, last: true } });
  for (const grp of grouping(site).groups) {
    const i = grp.members.indexOf(name);
    if (i >= 0) out.push({ group: grp.seq, row: { vm, first: i === 0, last: i === grp.members.length - 1 } });
  }
  return out;
}
