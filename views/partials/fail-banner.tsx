/** A banner while any check fails (issue 22), on home and the checks page. Live-swapped by id; empty (and hidden by CSS) when all is well. */
import type { Child } from 'hono/jsx';
import { plural, type PropsOf } from '../../src/web/view-data.ts';

export function FailBanner(p: PropsOf<'FailBanner'>): Child {
  const n = p.counts.FAIL;
  const err = p.counts.ERROR;
  return (
    <div id="failbanner" class={`banner${n || err ? ' on' : ''}`} role="status" hx-swap-oob={p.oob ? 'true' : undefined}>
      {n ? (
        <p>
          <strong>{plural(n, 'check')} failing.</strong> <a href="/checks?state=FAIL">Show {n === 1 ? 'it' : 'them'}</a>
        </p>
      ) : null}
      {err ? (
        <p>
          {plural(err, 'check')} cannot run: a configuration error. <a href="/checks?state=ERROR">Show</a>
        </p>
      ) : null}
    </div>
  );
}
