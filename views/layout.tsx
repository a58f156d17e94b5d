/**
 * The page chrome (spec §8.3): logo link home, the failing-checks badge,
 * navigation (what the role may use), the live-update stream and the only
 * scripts: htmx, its SSE extension and app.js, all with SRI hashes.
 */
import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';
import { Csrf, Icon, hx, type PageCtx } from './ui.tsx';
import { FailBadge } from './partials/fail-badge.tsx';
import { ThemePick, useTheme } from './theme.tsx';

/**
 * htmx 4 settings (HCON/JSON): no injected style sheet (CSP), only our
 * extensions; a live morph leaves an open menu (`<details open>`) open.
 */
const HTMX_CONFIG = JSON.stringify({
  includeIndicatorCSS: false,
  extensions: 'sse,siteward',
  defaultTimeout: 120000,
  morphIgnore: ['data-htmx-powered', 'open'],
});

function NavLink(p: { href: string; path: string; children: Child }): Child {
  const current = p.href === '/' ? p.path === '/' : p.path === p.href || p.path.startsWith(`${p.href}/`);
  return (
    <a href={p.href} aria-current={current ? 'page' : undefined}>
      {p.children}
    </a>
  );
}

/** The head every page shares; `children` adds to it (the signed-in page's CSRF token and htmx config). */
function Head(p: { site: string; title: string; assets: PageCtx['assets']; children?: Child }): Child {
  return (
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{`${p.title} · ${p.site}`}</title>
      {p.children}
      <link rel="stylesheet" href={p.assets.css.url} integrity={p.assets.css.integrity} />
      <link rel="icon" href="data:," />
    </head>
  );
}

/** `kiosk`: the wall-screen view (issue 22): no header or navigation, large tiles (app.css `body.kiosk`). */
export function Page(p: { ctx: PageCtx; title: string; kiosk?: boolean; children: Child }): Child {
  const { ctx } = p;
  const a = ctx.assets;
  return (
    <>
      {raw('<!DOCTYPE html>')}
      <html lang="en" data-theme={useTheme()}>
        <Head site={ctx.site} title={p.title} assets={a}>
          <meta name="csrf-token" content={ctx.csrf} />
          <meta name="htmx-config" content={HTMX_CONFIG} />
        </Head>
        <body data-live="off" class={p.kiosk ? 'kiosk' : undefined}>
          <a class="skip" href="#main">
            Skip to content
          </a>
          {p.kiosk ? null : (
            <header class="top">
              <a class="brand" href="/">
                <Icon name="logo" assets={a} />
                {ctx.site}
              </a>
              <FailBadge count={ctx.failCount} />
              {ctx.live ? (
                <span class="live-dot" title="live updates" aria-hidden="true">
                  ●
                </span>
              ) : null}
              <nav class="main" aria-label="Main">
                <NavLink href="/" path={ctx.path}>
                  Home
                </NavLink>
                <NavLink href="/checks" path={ctx.path}>
                  Checks
                </NavLink>
                <NavLink href="/hosts" path={ctx.path}>
                  Hosts
                </NavLink>
                <NavLink href="/actions" path={ctx.path}>
                  Actions
                </NavLink>
                <NavLink href="/log" path={ctx.path}>
                  Log
                </NavLink>
                <NavLink href="/reports" path={ctx.path}>
                  Reports
                </NavLink>
                <NavLink href="/status-pages" path={ctx.path}>
                  Status pages
                </NavLink>
                {ctx.fleet ? (
                  <NavLink href="/fleet" path={ctx.path}>
                    Fleet
                  </NavLink>
                ) : null}
                {ctx.can.admin ? (
                  <NavLink href="/users" path={ctx.path}>
                    Users
                  </NavLink>
                ) : null}
                {ctx.can.admin ? (
                  <NavLink href="/config" path={ctx.path}>
                    Config
                  </NavLink>
                ) : null}
                {ctx.can.admin ? (
                  <NavLink href="/tokens" path={ctx.path}>
                    Tokens
                  </NavLink>
                ) : null}
                <NavLink href="/account" path={ctx.path}>
                  <span class="who">
                    {ctx.user} ({ctx.role})
                  </span>
                </NavLink>
                <ThemePick />
                <form method="post" action="/logout">
                  <Csrf token={ctx.csrf} />
                  <button type="submit">Sign out</button>
                </form>
              </nav>
            </header>
          )}
          <main id="main">
            {p.kiosk ? (
              <p class="kiosk-stale" role="status">
                Not updating live: reload the page (or sign in again).
              </p>
            ) : null}
            {ctx.storage ? (
              <div class="errors banner" role="alert" id="storage-banner">
                <strong>Results are not being saved.</strong> {ctx.storage}. Checks keep running and notifications are sent from memory, but a restart would
                lose them: free space on the disk that holds the site folder.
              </div>
            ) : null}
            {ctx.zoneTrust?.alert ? (
              <div class="banner on" role="alert" id="zone-trust">
                <strong>Zone messages rejected.</strong> {ctx.zoneTrust.text}
              </div>
            ) : ctx.zoneTrust && ctx.can.admin ? (
              <p class="notice" role="status" id="zone-trust">
                {ctx.zoneTrust.text} See “Trust” in the HA guide (docs/ha.md).
              </p>
            ) : null}
            {p.children}
          </main>
          {ctx.live ? <div id="live" hidden {...hx({ 'hx-sse:connect': `/events?${ctx.live}`, 'hx-swap': 'none' })} /> : null}
          <script src={a.htmx.url} integrity={a.htmx.integrity} />
          <script src={a.sse.url} integrity={a.sse.integrity} />
          <script src={a.app.url} integrity={a.app.integrity} />
        </body>
      </html>
    </>
  );
}

/** Login and other pages without a session. */
export function BarePage(p: { site: string; title: string; assets: PageCtx['assets']; children: Child }): Child {
  return (
    <>
      {raw('<!DOCTYPE html>')}
      <html lang="en" data-theme={useTheme()}>
        <Head site={p.site} title={p.title} assets={p.assets} />
        <body>
          <header class="top">
            <span class="brand">
              <Icon name="logo" assets={p.assets} />
              {p.site}
            </span>
            <span class="end">
              <ThemePick />
            </span>
          </header>
          <main id="main">{p.children}</main>
          <script src={p.assets.app.url} integrity={p.assets.app.integrity} />
        </body>
      </html>
    </>
  );
}
