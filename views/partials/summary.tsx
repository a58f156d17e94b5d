/** Counts of checks by state, each a link to the filtered list. Live-swapped by id. */
import type { Child } from 'hono/jsx';
import { DISPLAY_STATES, plural, type PropsOf } from '../../src/web/view-data.ts';
import { StateIcon } from './state-badge.tsx';

export function Summary(p: PropsOf<'Summary'>): Child {
  return (
    <ul id="summary" class="summary" aria-label="checks by state" hx-swap-oob={p.oob ? 'true' : undefined}>
      <li>
        <a href="/checks">{plural(p.counts.total, 'check')}</a>
      </li>
      {DISPLAY_STATES.filter((s) => p.counts[s] > 0 || s === 'FAIL' || s === 'PASS').map((s) => (
        <li data-state={s}>
          <a href={`/checks?state=${s}`}>
            <StateIcon state={s} assets={p.assets} /> {p.counts[s]} {s === 'ERROR' ? 'config error' : s.toLowerCase()}
          </a>
        </li>
      ))}
    </ul>
  );
}
