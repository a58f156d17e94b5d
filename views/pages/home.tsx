/**
 * Home (spec §8.3, issue 22): a banner while anything fails, the failing
 * checks (a sequence's card lists its failing members; a member failing
 * before its sequence has a card of its own) with their logs and a Re-Run
 * button, or the all-clear card; then every sequence and unsequenced check at
 * a glance (heartbeat bar and uptime). `#home-main` is live-swapped as a whole.
 */
import type { Child } from 'hono/jsx';
import { type Assets, type CheckVM, plural } from '../../src/web/view-data.ts';
import { Page } from '../layout.tsx';
import { Icon } from '../ui.tsx';
import { CheckCard } from '../partials/check-card.tsx';
import { Summary } from '../partials/summary.tsx';
import { FailBanner } from '../partials/fail-banner.tsx';
import { Ago, Beats, Uptimes, type RowCtx } from '../partials/check-row.tsx';
import { StateBadge } from '../partials/state-badge.tsx';
import { checkUrl } from '../ui.tsx';
import type { HomeData, PropsOf } from '../../src/web/view-data.ts';

export type { HomeData } from '../../src/web/view-data.ts';

/** A new site's next steps: add a check of your own, and a notification that reaches a person. */
export function GettingStarted(p: { start: HomeData['start']; assets: Assets }): Child {
  const { start } = p;
  if (start.ownCheck && start.notifies) return null;
  const step = (done: boolean, href: string, text: string, why: string): Child => (
    <li class={done ? 'done' : undefined}>
      <Icon name={done ? 'pass' : 'plus'} assets={p.assets} label={done ? 'done' : undefined} /> {done ? <span>{text}</span> : <a href={href}>{text}</a>}
      <span class="muted"> {why}</span>
    </li>
  );
  return (
    <section class="card start" aria-labelledby="start-h">
      <h2 id="start-h">Get started</h2>
      <ol class="steps">
        {step(start.ownCheck, '/check', 'Add a check', '– paste the address of a website or name a server to watch')}
        {step(
          start.notifies,
          '/action?type=email',
          'Add a notification',
          '– email, chat, push or a webhook, so a failure reaches you (the built-in log action only writes to the Log page)',
        )}
      </ol>
    </section>
  );
}

/** One check or sequence at a glance: name, state, heartbeat bar, uptime, last run. */
function Tile(p: { vm: CheckVM; ctx: RowCtx }): Child {
  const g = p.ctx.glance(p.vm);
  return (
    <li class="tile">
      <a href={checkUrl(p.vm.name)}>{p.vm.name}</a> <StateBadge vm={p.vm} assets={p.ctx.assets} level={false} />
      <Beats g={g} />
      <span class="tilefoot">
        <Uptimes g={g} />{' '}
        <span class="muted">
          last run <Ago t={p.vm.at.check} text={p.vm.lastCheck || p.vm.lastUpdate} now={p.ctx.now} />
        </span>
      </span>
    </li>
  );
}

export function HomeMain(p: PropsOf<'HomeMain'>): Child {
  const { d, ctx } = p;
  return (
    <div id="home-main" hx-swap-oob={p.oob ? 'true' : undefined}>
      {ctx.operate ? <GettingStarted start={d.start} assets={ctx.assets} /> : null}
      {d.anyFailing ? (
        <>
          <div class="cards">
            {d.failing.map((vm) => (
              <CheckCard vm={vm} assets={ctx.assets} csrf={ctx.csrf} operate={ctx.operate} glance={ctx.glance(vm)} />
            ))}
          </div>
          {d.more > 0 ? (
            <p>
              <a href="/checks?state=FAIL">{plural(d.more, 'more failing check')}…</a>
            </p>
          ) : null}
        </>
      ) : (
        <section class="card allclear" aria-label="all clear">
          <div class="big st-PASS">
            <Icon name="pass" assets={ctx.assets} />
          </div>
          <p>
            No check is failing. {d.site} is monitoring {plural(d.counts.total, 'check')}
            {d.counts.PENDING ? `, ${d.counts.PENDING} not run yet` : ''}.
          </p>
          {ctx.operate ? (
            <a class="btn primary" href="/check">
              <Icon name="plus" assets={ctx.assets} /> Add check
            </a>
          ) : null}
        </section>
      )}
      {d.tiles.length ? (
        <section aria-labelledby="glance-h">
          <h2 id="glance-h">At a glance</h2>
          <ul class="tiles">
            {d.tiles.map((vm) => (
              <Tile vm={vm} ctx={ctx} />
            ))}
          </ul>
          {d.counts.total > d.tiles.length ? (
            <p>
              <a href="/checks">All {plural(d.counts.total, 'check')}…</a>
            </p>
          ) : null}
        </section>
      ) : null}
    </div>
  );
}

/**
 * `kiosk`: the wall-screen view of `/?kiosk=1` (docs/webui.md): the same live
 * `#home-main`, without the header and navigation, tiles large (app.css `body.kiosk`).
 */
export function HomePage(p: PropsOf<'HomePage'>): Child {
  return (
    <Page ctx={p.ctx} title={p.kiosk ? 'Wall screen' : 'Home'} kiosk={p.kiosk}>
      <h1>{p.d.site}</h1>
      <Summary counts={p.d.counts} assets={p.ctx.assets} />
      <FailBanner counts={p.d.counts} />
      <HomeMain d={p.d} ctx={p.rowCtx} />
    </Page>
  );
}
