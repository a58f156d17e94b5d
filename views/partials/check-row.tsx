/**
 * One check as a table row of the checks page (spec §8.3), under the group
 * (sequence) it is shown in. The same partial is live-swapped by id when the
 * check's state changes, once per group that lists it.
 */
import type { Child } from 'hono/jsx';
import { type Assets, type CheckVM, cid } from '../../src/web/view-data.ts';
import { Csrf, Icon, checkUrl } from '../ui.tsx';
import { StateBadge } from './state-badge.tsx';

export interface RowCtx {
  assets: Assets;
  csrf: string;
  operate: boolean;
  /** where a plain (non-htmx) form post returns to */
  back: string;
}

export function rowId(group: string | null, vm: { id: string }): string {
  return `r-${group === null ? 'n' : cid(group)}-${vm.id}`;
}

export function TriggerIcon(p: { vm: CheckVM; assets: Assets }): Child {
  const { vm } = p;
  const kind = vm.triggerKind ?? 'manual';
  const text = vm.triggerKind ? `${vm.triggerText}${vm.nextRun ? ` · next run: ${vm.nextRun}` : ''}` : 'no trigger: runs only manually or in a sequence';
  return (
    <span class="trig" title={text}>
      <Icon name={kind} assets={p.assets} />
      <span class="sr-only">{text}</span>
      {vm.nextRun ? <span class="muted"> {vm.nextRun}</span> : null}
    </span>
  );
}

/** Run / pause / clone / edit / move / delete for one check (operators only). */
export function RowActions(p: { vm: CheckVM; group: string | null | undefined; ctx: RowCtx; first: boolean; last: boolean }): Child {
  const { vm, ctx } = p;
  const a = ctx.assets;
  const post = (tail: string): Record<string, string> => ({ formaction: checkUrl(vm.name, tail), 'hx-post': checkUrl(vm.name, tail), 'hx-swap': 'none' });
  return (
    <form method="post" action={checkUrl(vm.name, '/run')} class="acts">
      <Csrf token={ctx.csrf} />
      <input type="hidden" name="back" value={ctx.back} />
      <input type="hidden" name="view" value="checks" />
      {p.group !== undefined ? <input type="hidden" name="group" value={p.group ?? ''} /> : null}
      {vm.paused ? null : (
        <button type="submit" {...post('/run')} title={`Run ${vm.name} now`}><Icon name="run" assets={a} /><span class="sr-only">Run {vm.name}</span></button>
      )}
      <button type="submit" name="paused" value={vm.paused ? '0' : '1'} {...post('/pause')} title={vm.paused ? `Resume ${vm.name}` : `Pause ${vm.name}`}>
        <Icon name={vm.paused ? 'run' : 'pause'} assets={a} /><span class="sr-only">{vm.paused ? 'Resume' : 'Pause'} {vm.name}</span>
      </button>
      {vm.cloneable ? (
        <button type="submit" {...post('/clone')} title={`Clone ${vm.name}`}><Icon name="clone" assets={a} /><span class="sr-only">Clone {vm.name}</span></button>
      ) : null}
      <a class="btn" href={checkUrl(vm.name)} title={`Edit ${vm.name}`}><Icon name="edit" assets={a} /><span class="sr-only">Edit {vm.name}</span></a>
      <button type="submit" name="dir" value="up" disabled={p.first} {...post('/move')} title={`Move ${vm.name} up`}><Icon name="up" assets={a} /><span class="sr-only">Move {vm.name} up</span></button>
      <button type="submit" name="dir" value="down" disabled={p.last} {...post('/move')} title={`Move ${vm.name} down`}><Icon name="down" assets={a} /><span class="sr-only">Move {vm.name} down</span></button>
      <a class="btn danger" href={checkUrl(vm.name, '/delete')} title={`Delete ${vm.name}`}
        hx-delete={checkUrl(vm.name)} hx-confirm={`Delete check "${vm.name}"?`} hx-swap="none">
        <Icon name="delete" assets={a} /><span class="sr-only">Delete {vm.name}</span>
      </a>
    </form>
  );
}

export function CheckRow(p: { vm: CheckVM; group: string | null; ctx: RowCtx; first: boolean; last: boolean; oob?: boolean }): Child {
  const { vm, ctx } = p;
  const failing = !vm.isGroup && (vm.state === 'FAIL' || vm.state === 'ERROR');
  return (
    <tr id={rowId(p.group, vm)} class={failing ? 'failing' : undefined} data-check={vm.name} hx-swap-oob={p.oob ? 'true' : undefined}>
      <td class="name" data-label="Check"><a href={checkUrl(vm.name)}>{vm.name}</a> <span class="type">({vm.displayType})</span></td>
      <td data-label="State"><StateBadge vm={vm} assets={ctx.assets} /></td>
      <td data-label="Last pass">{vm.lastPass || <span class="muted">never</span>}</td>
      <td data-label="Last fail">{vm.lastFail || <span class="muted">never</span>}</td>
      <td data-label="Next run"><TriggerIcon vm={vm} assets={ctx.assets} /></td>
      {ctx.operate ? <td data-label="Actions"><RowActions vm={vm} group={p.group} ctx={ctx} first={p.first} last={p.last} /></td> : null}
    </tr>
  );
}
