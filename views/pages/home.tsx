/**
 * Home (spec §8.3): the failing checks that are not inside a sequence (with
 * their logs and a Re-Run button), or the all-clear card; counts by state.
 * `#home-main` is live-swapped as a whole.
 */
import type { Child } from 'hono/jsx';
import { type Assets, type CheckVM, type Counts, plural } from '../../src/web/view-data.ts';
import { Page } from '../layout.tsx';
import { Icon, type PageCtx } from '../ui.tsx';
import { CheckCard } from '../partials/check-card.tsx';
import { Summary } from '../partials/summary.tsx';

export interface HomeData {
  site: string;
  counts: Counts;
  failing: CheckVM[];
  /** failing cards not shown (more than the page holds) */
  more: number;
  anyFailing: boolean;
  /** the first steps of a new site: done or not (the card goes once both are) */
  start: { ownCheck: boolean; notifies: boolean };
}

/** A new site's next steps: add a check of your own, and a notification that reaches a person. */
export function GettingStarted(p: { start: HomeData['start']; assets: Assets }): Child {
  const { start } = p;
  if (start.ownCheck && start.notifies) return null;
  const step = (done: boolean, href: string, text: string, why: string): Child => (
    <li class={done ? 'done' : undefined}>
      <Icon name={done ? 'pass' : 'plus'} assets={p.assets} label={done ? 'done' : undefined} />{' '}
      {done ? <span>{text}</span> : <a href={href}>{text}</a>}
      <span class="muted"> {why}</span>
    </li>
  );
  return (
    <section class="card start" aria-labelledby="start-h">
      <h2 id="start-h">Get started</h2>
      <ol class="steps">
        {step(start.ownCheck, '/check', 'Add a check', '– paste the address of a website or name a server to watch')}
        {step(start.notifies, '/action?type=email', 'Add a notification', '– email, chat, push or a webhook, so a failure reaches you (the built-in log action only writes to the Log page)')}
      </ol>
    </section>
  );
}

export function HomeMain(p: { d: HomeData; assets: Assets; csrf: string; operate: boolean; oob?: boolean }): Child {
  const { d } = p;
  return (
    <div id="home-main" hx-swap-oob={p.oob ? 'true' : undefined}>
      {p.operate ? <GettingStarted start={d.start} assets={p.assets} /> : null}
      {d.anyFailing ? (
        <>
          <div class="cards">{d.failing.map((vm) => <CheckCard vm={vm} assets={p.assets} csrf={p.csrf} operate={p.operate} />)}</div>
          {d.more > 0 ? <p><a href="/checks?state=FAIL">{plural(d.more, 'more failing check')}…</a></p> : null}
        </>
      ) : (
        <section class="card allclear" aria-label="all clear">
          <div class="big st-PASS"><Icon name="pass" assets={p.assets} /></div>
          <p>No check is failing. {d.site} is monitoring {plural(d.counts.total, 'check')}{d.counts.PENDING ? `, ${d.counts.PENDING} not run yet` : ''}.</p>
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
