/** Header badge "N checks in fail state" (spec §8.3); empty (hidden) when none. Live-swapped by id. */
import type { Child } from 'hono/jsx';
import { plural, type PropsOf } from '../../src/web/view-data.ts';

export function FailBadge(p: PropsOf<'FailBadge'>): Child {
  return (
    <span id="failbadge" class="badge fail" role="status" hx-swap-oob={p.oob ? 'true' : undefined}>
      {p.count > 0 ? `${plural(p.count, 'check')} in fail state` : ''}
    </span>
  );
}
