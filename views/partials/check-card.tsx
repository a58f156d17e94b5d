/**
 * A failing check on the home page (spec §8.3): link, last fail, failing
 * members of a sequence, remote type and last update, log lines, Re-Run.
 */
import type { Child } from 'hono/jsx';
import { type Assets, type CheckVM, type GlanceVM } from '../../src/web/view-data.ts';
import { Csrf, Icon, checkUrl } from '../ui.tsx';
import { StateBadge } from './state-badge.tsx';
import { LogBlock } from './log-block.tsx';
import { Beats, Uptimes } from './check-row.tsx';

export function CheckCard(p: { vm: CheckVM; assets: Assets; csrf: string; operate: boolean; glance?: GlanceVM }): Child {
  const { vm } = p;
  const remote = vm.displayType !== vm.type;
  return (
    <section class="card failing" id={`card-${vm.id}`} aria-labelledby={`card-${vm.id}-h`}>
      <h2 id={`card-${vm.id}-h`}>
        <a href={checkUrl(vm.name)}>{vm.name}</a> <span class="muted">({vm.displayType})</span>
      </h2>
      <StateBadge vm={vm} assets={p.assets} />
      {p.glance ? (
        <p class="glance">
          <Beats g={p.glance} />
          <Uptimes g={p.glance} />
        </p>
      ) : null}
      <dl class="facts">
        <dt>Last fail</dt>
        <dd>{vm.lastFail || 'never'}</dd>
        {remote ? (
          <>
            <dt>Remote type</dt>
            <dd>{vm.displayType}</dd>
            <dt>Last updated</dt>
            <dd>{vm.lastUpdate || 'never'}</dd>
          </>
        ) : null}
        {vm.isGroup && vm.failingMembers.length ? (
          <>
            <dt>Failing checks</dt>
            <dd>
              {vm.failingMembers.map((m, i) => (
                <>
                  {i ? ', ' : ''}
                  <a href={checkUrl(m)}>{m}</a>
                </>
              ))}
            </dd>
          </>
        ) : null}
      </dl>
      <LogBlock vm={vm} />
      {p.operate && !vm.paused ? (
        <form method="post" action={checkUrl(vm.name, '/run')}>
          <Csrf token={p.csrf} />
          <input type="hidden" name="back" value="/" />
          <input type="hidden" name="view" value="home" />
          <button type="submit" hx-post={checkUrl(vm.name, '/run')} hx-swap="none">
            <Icon name="run" assets={p.assets} /> Re-Run
          </button>
        </form>
      ) : null}
    </section>
  );
}
