/**
 * A public status page (issue 22, docs/status-pages.md): its own bare
 * chrome (no navigation, no session), the overall banner, each group's
 * checks with a 90-day uptime bar (SVG drawn in src/status-pages/bars.ts,
 * classes only: the CSP allows no inline style) and the incidents.
 */
import type { Child } from 'hono/jsx';
import { type Incident, pctText, type StatusCheckVM, type PropsOf } from '../../src/web/view-data.ts';
import { raw } from 'hono/html';
import { ThemePick, useTheme } from '../theme.tsx';

const STATUS_WORDS: Record<StatusCheckVM['status'], string> = { up: 'Operational', down: 'Down', paused: 'Paused', unknown: 'No data' };
const STAGE_WORDS: Record<string, string> = { investigating: 'Investigating', identified: 'Identified', monitoring: 'Monitoring', resolved: 'Resolved' };

export const utc = (t: number): string => `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const ms = (v: number | null): string => (v === null ? '' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v)} ms`);

export function IncidentView(p: { i: Incident; children?: Child }): Child {
  const { i } = p;
  return (
    <article class={`card incident ${i.resolved === null ? `open impact-${i.impact}` : 'resolved'}`} id={`incident-${i.id}`}>
      <h3>
        {i.title}{' '}
        <span class={`stage stage-${i.resolved === null ? (i.updates[0]?.status ?? 'investigating') : 'resolved'}`}>
          {i.resolved === null ? (STAGE_WORDS[i.updates[0]?.status ?? ''] ?? 'Open') : 'Resolved'}
        </span>
      </h3>
      <ol class="updates">
        {i.updates.map((u) => (
          <li>
            <strong>{STAGE_WORDS[u.status] ?? u.status}</strong> <time datetime={new Date(u.t).toISOString()}>{utc(u.t)}</time>
            <p>{u.body}</p>
          </li>
        ))}
      </ol>
      {p.children}
    </article>
  );
}

export function StatusPageView(p: PropsOf<'StatusPageView'>): Child {
  const { vm, assets } = p;
  const open = vm.incidents.filter((i) => i.resolved === null);
  const past = vm.incidents.filter((i) => i.resolved !== null);
  return (
    <>
      {raw('<!DOCTYPE html>')}
      <html lang="en" data-theme={useTheme()}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{`${vm.title} · status`}</title>
          <link rel="stylesheet" href={assets.css.url} integrity={assets.css.integrity} />
          <link rel="alternate" type="application/atom+xml" title={`${vm.title}: incidents`} href={`/status/${vm.slug}/feed.atom`} />
          <link rel="icon" href="data:," />
        </head>
        <body class="statuspage">
          <main id="main">
            <header class="sp-head">
              {vm.logo ? <img class="sp-logo" src={vm.logo} alt="" /> : null}
              <div>
                <h1>{vm.title}</h1>
                {vm.description ? <p class="muted">{vm.description}</p> : null}
              </div>
            </header>
            <p class={`sp-banner sp-${vm.banner.level}`} role="status">
              {vm.banner.text}
            </p>
            {open.length ? (
              <section aria-labelledby="sp-open">
                <h2 id="sp-open">Current incidents</h2>
                {open.map((i) => (
                  <IncidentView i={i} />
                ))}
              </section>
            ) : null}
            {vm.groups.map((g, gi) => (
              <section class="card sp-group" aria-labelledby={`sp-g${gi}`}>
                <h2 id={`sp-g${gi}`}>{g.name}</h2>
                <ul class="sp-checks">
                  {g.checks.map((c) => (
                    <li class="sp-check">
                      <div class="sp-line">
                        <span class="sp-name">{c.label}</span>
                        <span class={`sp-state sp-${c.status}`}>{STATUS_WORDS[c.status]}</span>
                      </div>
                      {raw(c.bars)}
                      <div class="sp-meta muted">
                        <span>{`${c.days.length} days ago`}</span>
                        <span>
                          {`${pctText(c.uptime)} uptime`}
                          {vm.responseTime && c.responseMs !== null ? ` · ${ms(c.responseMs)} response` : ''}
                        </span>
                        <span>today</span>
                      </div>
                    </li>
                  ))}
                </ul>
              </section>
            ))}
            {past.length ? (
              <section aria-labelledby="sp-past">
                <h2 id="sp-past">Past incidents</h2>
                {past.map((i) => (
                  <IncidentView i={i} />
                ))}
              </section>
            ) : null}
            <footer class="sp-foot muted">
              <span>{`Updated ${utc(vm.now)}`}</span>
              <a href={`/status/${vm.slug}/feed.atom`}>Incident feed (Atom)</a>
              <a href={`/status/${vm.slug}/summary.json`}>JSON</a>
              {p.report ? <a href={p.report}>Uptime report</a> : null}
              {p.manage ? <a href={p.manage}>Manage this page</a> : null}
              <span>Powered by siteward</span>
              <ThemePick />
            </footer>
          </main>
          <script src={assets.app.url} integrity={assets.app.integrity} />
        </body>
      </html>
    </>
  );
}
