/**
 * The state block of a check's page (spec §8.4 header): state, fail state,
 * last check, last failure, last recovery, remote details, next run, the
 * sequences it is in. Live-swapped by id.
 */
import type { Child } from 'hono/jsx';
import type { PropsOf } from '../../src/web/view-data.ts';
import { checkUrl } from '../ui.tsx';
import { StateBadge } from './state-badge.tsx';

export function CheckStatus(p: PropsOf<'CheckStatus'>): Child {
  const { vm } = p;
  const remote = vm.displayType !== vm.type;
  const failing = vm.state === 'FAIL' || vm.state === 'SOFTFAIL' || vm.state === 'ERROR';
  return (
    <div id={`status-${vm.id}`} class="card" hx-swap-oob={p.oob ? 'true' : undefined} aria-live="polite">
      <p>
        <StateBadge vm={vm} assets={p.assets} />
      </p>
      <dl class="facts">
        {failing && typeof vm.failState === 'string' && vm.failState ? (
          <>
            <dt>Failing members</dt>
            <dd>{vm.failState}</dd>
          </>
        ) : null}
        <dt>Last check</dt>
        <dd>{vm.lastCheck || 'never'}</dd>
        <dt>Last failure</dt>
        <dd>{vm.lastFail || 'never'}</dd>
        <dt>Last recovery</dt>
        <dd>{vm.lastPass || 'never'}</dd>
        {remote ? (
          <>
            <dt>Remote type</dt>
            <dd>{vm.displayType}</dd>
            <dt>Last updated</dt>
            <dd>{vm.lastUpdate || 'never'}</dd>
          </>
        ) : null}
        <dt>Trigger</dt>
        <dd>{vm.triggerText || 'none (manual or in a sequence)'}</dd>
        {vm.nextRun ? (
          <>
            <dt>Next run</dt>
            <dd>{vm.nextRun}</dd>
          </>
        ) : null}
        {p.inseqs.length ? (
          <>
            <dt>In sequence</dt>
            <dd>
              {p.inseqs.map((s, i) => (
                <>
                  {i ? ', ' : ''}
                  <a href={checkUrl(s)}>{s}</a>
                </>
              ))}
            </dd>
          </>
        ) : null}
      </dl>
      {vm.errors.length ? (
        <div class="errors">
          <strong>Configuration errors (the check does not run):</strong>
          <ul>
            {vm.errors.map((e) => (
              <li>{e}</li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
