/** A check's state: icon + word (+ level). Colour is never the only signal. */
import type { Child } from 'hono/jsx';
import type { Assets, CheckVM, DisplayState } from '../../src/web/view-data.ts';
import { Icon } from '../ui.tsx';

const ICON: Record<DisplayState, string> = {
  PASS: 'pass',
  WARN: 'softfail',
  FAIL: 'fail',
  SOFTFAIL: 'softfail',
  PAUSED: 'paused',
  ERROR: 'error',
  PENDING: 'pending',
};
const WORD: Record<DisplayState, string> = {
  PASS: 'PASS',
  WARN: 'WARN',
  FAIL: 'FAIL',
  SOFTFAIL: 'SOFTFAIL',
  PAUSED: 'PAUSED',
  ERROR: 'CONFIG ERROR',
  PENDING: 'PENDING',
};

export function StateBadge(p: { vm: CheckVM; assets: Assets; level?: boolean }): Child {
  const { vm } = p;
  return (
    <span class={`state st-${vm.state}`} data-state={vm.state}>
      <Icon name={ICON[vm.state]} assets={p.assets} />
      {WORD[vm.state]}
      {vm.state === 'SOFTFAIL' && vm.softFail ? <span class="muted"> (depends on {vm.softFail})</span> : null}
      {vm.state === 'PENDING' ? <span class="muted"> (not run yet)</span> : null}
      {p.level !== false && vm.level ? <span class="level">{vm.level}</span> : null}
      {vm.ack ? (
        <span class="ops-tag ack" title={`${vm.ack.at}${vm.ack.comment ? `: ${vm.ack.comment}` : ''}`}>
          {' '}
          acknowledged by {vm.ack.by}
        </span>
      ) : null}
      {vm.maintenance ? (
        <span class="ops-tag maint" title={vm.maintenance.reason ?? vm.maintenance.window}>
          {' '}
          in maintenance until {vm.maintenance.until}
        </span>
      ) : null}
    </span>
  );
}

export function StateIcon(p: { state: DisplayState; assets: Assets }): Child {
  return (
    <span class={`state st-${p.state}`}>
      <Icon name={ICON[p.state]} assets={p.assets} label={WORD[p.state]} />
    </span>
  );
}
