/**
 * Home (spec §8.3): the failing checks that are not inside a sequence (with
 * their logs and a Re-Run button), or the all-clear card; counts by state.
 * `#home-main` is live-swapped as a whole.
 */
import type { Child } from 'hono/jsx';
import type { CheckVM, Counts } from '../../src/web/model.ts';
import { plural } from '../../src/web/model.ts';
import { Page } from '../layout.tsx';
import { Icon, type PageCtx } from '../ui.tsx';
import { CheckCard } from '../partials/check-card.tsx';
import { Summary } from '../partials/summary.tsx';
import type { Assets } from '../../src/web/assets.ts';

export interface HomeData {
  site: string;
  counts: Counts;
  failing: CheckVM[];
  /** failing cards not shown (more than the page holds) */
  more: number;
  anyFailing: boolean;
}

export function HomeMain(p: { d: HomeData; assets: Assets; csrf: string; operate: boolean; oob?: boolean }): Child {
  const { d } = p;
  return (
    <div id="home-main" hx-swap-oob={p.oob ? 'true' : undefined}>
      {d.anyFailing ? (
        <>
          <div class="cards">{d.failing.map((vm) => <CheckCard vm={vm} assets={p.assets} csrf={p.csrf} operate={p.operate} />)}</div>
          {d.more > 0 ? <p><a href="/checks?state=FAIL">{plural(d.more, 'more failing check')}…</a></p> : null}
        </>
      ) : (
        <section class="card allclear" aria-label="all clear">
          <div class="big" aria-hidden="true">👍</div>
          <p>{d.site} monitoring {plural(d.counts.total, 'check')}.</p>
          {p.operate ? <a class="btn primary" href="/check"><Icon name="plus" assets={p.assets} /> Add check</a> : null}
        </section>
      )}
    </div>
  );
}

export function HomePage(p: { ctx: PageCtx; d: HomeData }): Child {
  return (
    <Page ctx={p.ctx} title="Home">
      <h1>{p.d.site}</h1>
      <Summary counts={p.d.counts} assets={p.ctx.assets} />
      <HomeMain d={p.d} assets={p.ctx.assets} csrf={p.ctx.csrf} operate={p.ctx.can.operate} />
    </Page>
  );
}
