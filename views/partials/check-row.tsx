/**
 * One check as a table row of the checks page (spec §8.3, issue 22 "at a
 * glance"): name and type, state, a heartbeat bar of its last runs, uptime
 * over 24 h / 7 d / 30 d, the last run time, "3 min ago" times with the
 * absolute time as a title, and a labelled actions menu. The menu's buttons
 * submit the page's one form (`#acts`, ActionsForm), so a row carries no
 * form and no CSRF token of its own. The row is live-swapped by id (a morph:
 * focus and an open menu stay) after every run, once per group that lists it.
 */
import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';
import { type Assets, type CheckVM, cid, type GlanceVM, msText, percentText, relative } from '../../src/web/view-data.ts';
import { Csrf, Icon, checkUrl } from '../ui.tsx';
import { StateBadge } from './state-badge.tsx';
import type { RowCtx, PropsOf } from '../../src/web/view-data.ts';

export type { RowCtx } from '../../src/web/view-data.ts';

/** A row's element id: per group listing the check, and `r-f-…` in the failing section at the top. */
export function rowId(group: string | null, vm: { id: string }, failing = false): string {
  return `r-${failing ? 'f' : group === null ? 'n' : cid(group)}-${vm.id}`;
}

/** A time as "3 min ago" with the absolute time on hover; empty text when there is none. */
export function Ago(p: { t: number | null; text: string; now: number; none?: string }): Child {
  if (p.t === null || !p.text) return <span class="muted">{p.none ?? 'never'}</span>;
  return (
    <time datetime={new Date(p.t).toISOString()} title={p.text}>
      {relative(p.t, p.now)}
    </time>
  );
}

export function TriggerIcon(p: { vm: CheckVM; assets: Assets; now?: number }): Child {
  const { vm } = p;
  const kind = vm.triggerKind ?? 'manual';
  const text = vm.triggerKind ? `${vm.triggerText}${vm.nextRun ? ` · next run: ${vm.nextRun}` : ''}` : 'no trigger: runs only manually or in a sequence';
  return (
    <span class="trig" title={text}>
      <Icon name={kind} assets={p.assets} />
      <span class="sr-only">{vm.triggerKind ? vm.triggerText : text}</span>
      {vm.nextRun && vm.at.next !== null ? (
        <> {p.now !== undefined ? <Ago t={vm.at.next} text={vm.nextRun} now={p.now} /> : <span class="muted">{vm.nextRun}</span>}</>
      ) : null}
    </span>
  );
}

/**
 * The page's one form for row actions (buttons name it with `form="acts"`),
 * and the one set of menu items every row's menu is built from when it is
 * opened (app.js): a row carries only its menu button, what its menu offers
 * (`data-acts`) and an Edit link, not eight buttons — the menus were more than
 * half of what Chromium parsed on the checks page (docs/performance.md).
 */
export function ActionsForm(p: { csrf: string; back: string }): Child {
  const post = { form: 'acts', type: 'submit', 'hx-swap': 'none' } as const;
  return (
    <>
      <form id="acts" method="post" action="/checks" class="acts-form">
        <Csrf token={p.csrf} />
        <input type="hidden" name="back" value={p.back} />
        <input type="hidden" name="view" value="checks" />
      </form>
      <template id="row-menu">
        <button {...post} data-act="run">
          Run now
        </button>
        <button {...post} data-act="pause" name="paused" value="1">
          Pause
        </button>
        <button {...post} data-act="resume" name="paused" value="0">
          Resume
        </button>
        <a class="btn" data-act="edit">
          Edit
        </a>
        <button {...post} data-act="clone">
          Clone
        </button>
        <button {...post} data-act="up" name="dir" value="up">
          Move up
        </button>
        <button {...post} data-act="down" name="dir" value="down">
          Move down
        </button>
        <a class="btn danger" data-act="delete" hx-swap="none">
          Delete
        </a>
      </template>
    </>
  );
}

/**
 * Run / pause / clone / edit / move / delete for one check (operators only),
 * as a labelled menu. The items are built from the page's `#row-menu` when
 * the menu opens (views/static/app.js), from `data-acts`: the items this
 * check offers, `-off` for a move it cannot make (first or last); `data-move`
 * is the query a move carries (the group it moves within). Without script the
 * menu holds Edit: the check's page, which has run, pause, clone and delete.
 */
export function RowActions(p: {
  vm: CheckVM;
  group: string | null | undefined;
  ctx: RowCtx;
  first: boolean;
  last: boolean;
  menuId: string;
  movable?: boolean;
}): Child {
  const { vm } = p;
  const acts = [vm.paused ? 'resume' : 'run pause'];
  if (vm.cloneable) acts.push('clone');
  if (p.movable !== false) acts.push(p.first ? 'up-off' : 'up', p.last ? 'down-off' : 'down');
  return (
    <details
      class="menu"
      id={`${p.menuId}-d`}
      data-name={vm.name}
      data-acts={acts.join(' ')}
      data-move={p.movable !== false && p.group !== undefined ? `?group=${encodeURIComponent(p.group ?? '')}` : undefined}
    >
      <summary id={p.menuId} class="btn">
        Actions<span class="sr-only"> for {vm.name}</span>
      </summary>
      <div class="menu-items" hx-morph-skip-children="">
        <a class="btn" href={checkUrl(vm.name)}>
          Edit
        </a>
      </div>
    </details>
  );
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ESC[c]);

/**
 * The heartbeat bar: one block per run, oldest left; colour and a title per
 * run, the whole in words for screen readers. A run of blocks of the same
 * kind is one element (`n5`: five blocks wide, drawn as five blocks by
 * app.css) whose title lists each run's time and detail, one a line: a
 * page's elements are most of what Chromium spends parsing the checks page
 * (docs/performance.md, issue 22), and 24 elements per bar were half a row's.
 * Built as one escaped string: JSX nodes for the blocks cost more than the
 * rest of the row.
 */
export function Beats(p: { g: GlanceVM }): Child {
  const bs = p.g.beats;
  let out = `<span class="beats" role="img" aria-label="${esc(p.g.summary)}">`;
  for (let i = 0; i < bs.length; ) {
    const kind = bs[i].kind;
    let title = bs[i].title;
    let j = i + 1;
    for (; j < bs.length && bs[j].kind === kind; j++) if (bs[j].title) title = title ? `${title}\n${bs[j].title}` : bs[j].title;
    const n = j - i;
    out += `<span class="beat ${kind}${n > 1 ? ` n${n}` : ''}"${title ? ` title="${esc(title).replace(/\n/g, '&#10;')}"` : ''}></span>`;
    i = j;
  }
  return raw(`${out}</span>`);
}

export function Uptimes(p: { g: GlanceVM }): Child {
  return (
    <span class="ups">
      {p.g.uptime.map((u) => (
        <span
          class={`up${u.percent === null ? ' none' : u.percent < 99 ? ' low' : ''}`}
          title={u.runs ? `${u.label}: ${u.runs} runs, ${Math.round(u.coverage * 100)} % of the time with data` : `${u.label}: no runs`}
        >
          <span class="muted">{u.label}</span> {percentText(u)}
        </span>
      ))}
    </span>
  );
}

export function CheckRow(p: { vm: CheckVM; group: string | null; failing?: boolean; ctx: RowCtx; first: boolean; last: boolean }): Child {
  const { vm, ctx } = p;
  const failing = !vm.isGroup && (vm.state === 'FAIL' || vm.state === 'ERROR');
  const id = rowId(p.group, vm, p.failing);
  const g = ctx.glance(vm);
  return (
    <tr id={id} class={failing ? 'failing' : undefined} data-check={vm.name}>
      <td class="name" data-label="Check">
        <a href={checkUrl(vm.name)}>{vm.name}</a> <span class="type">{vm.displayType}</span>
      </td>
      <td data-label="State">
        <StateBadge vm={vm} assets={ctx.assets} />
      </td>
      <td data-label="Last runs" class="glance">
        <Beats g={g} />
        <Uptimes g={g} />
      </td>
      <td data-label="Run time">{g.responseMs !== null ? msText(g.responseMs) : <span class="muted">–</span>}</td>
      <td data-label="Last run">
        <Ago t={vm.at.check} text={vm.lastCheck || vm.lastUpdate} now={ctx.now} />
      </td>
      <td data-label="Next run">
        <TriggerIcon vm={vm} assets={ctx.assets} now={ctx.now} />
      </td>
      {ctx.operate ? (
        <td data-label="Actions">
          <RowActions vm={vm} group={p.group} ctx={ctx} first={p.first} last={p.last} movable={!p.failing} menuId={`${id}-m`} />
        </td>
      ) : null}
    </tr>
  );
}

/**
 * A row as a live fragment: an htmx partial (a `<template>`), so the HTML
 * parser keeps the `<tr>` whatever comes before it in the same message
 * (issue 22: a bare `<tr>` after other markup was dropped), morphed into
 * place so focus and an open menu survive.
 */
export function LiveRow(p: PropsOf<'LiveRow'>): Child {
  return (
    <hx-partial hx-target={`#${rowId(p.group, p.vm, p.failing)}`} hx-swap="outerMorph">
      <CheckRow {...p} />
    </hx-partial>
  );
}
