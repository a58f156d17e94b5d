/**
 * Status pages (issue 22, docs/status-pages.md). Read-only pages at
 * /status/<slug> — without a session when the page is public — with an
 * Atom feed and a JSON summary; /status-pages for signed-in users, where
 * operators edit the pages (the site file's `statusPages`) and open, update
 * and resolve incidents. fletchck's GET /status (home.tsx) is unchanged.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import type { WebSite } from '../web-site.ts';
import { isFailing } from '../../engine/state.ts';
import { formatIssue } from '../../config/issues.ts';
import { authOf, need, type WebContext, type WebEnv } from '../context.ts';
import type { WebDeps } from '../deps.ts';
import { formValues, type FormValues } from '../form-values.ts';
import { formState } from '../check-form.ts';
import { html, pageCtx } from '../render.tsx';
import type { StatusPageConfig } from '../../status-pages/config.ts';
import { IncidentError, IncidentStore, IMPACTS, STAGES, type Impact, type Stage } from '../../status-pages/incidents.ts';
import { BAR_DAYS, checkVM, DailyUptime, DAY, statusJson, statusPageVM, type StatusSource } from '../../status-pages/model.ts';
import { performance } from 'node:perf_hooks';
import { matchesEtag, PageCache } from '../../status-pages/page-cache.ts';
import { checkRefs } from '../../status-pages/config.ts';
import { chooseEncoding, squeeze } from '../compress.ts';
import { getCookie } from 'hono/cookie';
import { toHtml } from '../render.tsx';
import { atomFeed } from '../../status-pages/atom.ts';
import { MetricCodec } from '../../store/history.ts';
import { TierReader } from '../../store/tier-reader.ts';
import { BarCache } from '../../status-pages/bars.ts';
import { pageFromForm, pageValues } from '../../status-pages/form.ts';
import type { FormState } from '../view-data.ts';
import { THEME_COOKIE, ThemeContext, themeOf } from '../view-data.ts';

/** The site as status pages read it: states, run counts, the last run's duration. */
export function statusSource(site: WebSite): StatusSource {
  const tiers = new TierReader(site.db, new MetricCodec(site.db));
  return {
    now: () => site.clock.now(),
    check: (name) => {
      const e = site.entry(name);
      if (!e) return null;
      const s = site.state(name);
      return { failing: isFailing(s.failState), paused: e.config.paused, checked: (s.lastCheck ?? s.lastUpdate) !== null };
    },
    counts: (name, from, to) => site.store.coverage(name, from, to),
    daily: (name, fromDay, toDay) => tiers.daily(name, fromDay, toDay),
    lastDuration: (name) => site.store.history(name, 0, site.clock.now(), 1)[0]?.durationMs ?? null,
  };
}

const empty = (values: Record<string, string> = {}): FormState => ({ values, errors: {}, general: [] });

/** Slices of the start-up warm-up: at most this much synchronous work before yielding to requests. */
const WARM_SLICE_MS = 10;

export function statusPageRoutes(d: WebDeps, o: { ready?: (warm: Promise<void>) => void } = {}): Hono<WebEnv> {
  const { StatusPageView, StatusPageManage, StatusPageNew, StatusPagesList, ConfirmPage } = d.pages;
  const r = new Hono<WebEnv>();
  const { site } = d;
  const incidents = new IncidentStore(site.db, () => site.clock.now());
  const daily = new DailyUptime();
  const bars = new BarCache();
  const src = statusSource(site);
  const viewer = need('viewer');

  const find = (slug: string): StatusPageConfig | undefined => site.settings.statusPages.find((p) => p.slug === slug);
  const recent = (slug: string) => incidents.forPage(slug, site.clock.now() - BAR_DAYS * DAY);
  let shownNow: Set<string> | null = null;
  const shown = (): Set<string> =>
    (shownNow ??= new Set(site.settings.statusPages.flatMap((p) => p.groups.flatMap((g) => g.checks.map((c) => (typeof c === 'string' ? c : c.check))))));
  const build = (page: StatusPageConfig) => {
    daily.keep(shown());
    bars.keep(shown());
    return statusPageVM(src, daily, bars, page, recent(page.slug));
  };

  // rendered pages, kept (src/status-pages/page-cache.ts): dropped when a check on a page changes state, the configuration or an incident changes
  const cache = new PageCache(() => site.clock.now());
  site.bus.on('transition', (e) => {
    if (shown().has(e.name)) cache.clear();
  });
  site.bus.on('config', () => {
    shownNow = null;
    cache.clear();
  });
  /**
   * Sends a kept body as it is: the UTF-8 bytes or their brotli/gzip form (made once), never copied or
   * recompressed per request (the compression middleware passes a Content-Encoding through). Browsers keep
   * it and revalidate (`no-cache` + ETag): an unchanged page is a 304 without the body.
   */
  const send = async (c: WebContext, key: string, type: string, make: () => Promise<string>, visible: 'public' | 'private'): Promise<Response> => {
    const body = await cache.get(key, make);
    const headers: Record<string, string> = {
      'Content-Type': type,
      Vary: 'Accept-Encoding, Cookie',
      ETag: body.etag,
      'Cache-Control': visible === 'public' ? 'no-cache' : 'private, no-cache',
    };
    if (matchesEtag(c.req.header('If-None-Match'), body.etag)) return c.body(null, 304, headers);
    const enc = body.text.length >= 1024 ? chooseEncoding(c.req.header('Accept-Encoding')) : null;
    if (!enc) return c.body(body.bytes, 200, headers);
    let out = body.encoded.get(enc);
    if (!out) {
      const z = await squeeze(Buffer.from(body.bytes.buffer, body.bytes.byteOffset, body.bytes.byteLength), enc);
      body.encoded.set(enc, (out = new Uint8Array(z.buffer as ArrayBuffer, z.byteOffset, z.byteLength)));
    }
    return c.body(out, 200, { ...headers, 'Content-Encoding': enc });
  };
  const pageHtml = (page: StatusPageConfig, theme: ReturnType<typeof themeOf>, manage: string | null) => () =>
    toHtml(
      <ThemeContext.Provider value={theme}>
        <StatusPageView
          vm={build(page)}
          assets={d.assets}
          site={site.name}
          manage={manage}
          // the uptime report is for signed-in readers, as managing is (docs/status-pages.md "Reports")
          report={manage ? `/status/${encodeURIComponent(page.slug)}/report` : null}
        />
      </ThemeContext.Provider>,
    );

  /**
   * After a start, every shown check's 90 days are read and drawn in slices
   * of WARM_SLICE_MS (a page of 500 checks is ~1 s of work; one request
   * would block the server for all of it), then each page is rendered once.
   * A request meanwhile waits for it instead of doing the same work again.
   */
  const warm = (async (): Promise<void> => {
    await new Promise<void>((r) => setImmediate(r));
    for (const page of site.settings.statusPages) {
      let t0 = performance.now();
      for (const g of page.groups) {
        for (const ref of checkRefs(g)) {
          checkVM(src, daily, bars, ref.check, ref.label, false);
          if (performance.now() - t0 >= WARM_SLICE_MS) {
            await new Promise<void>((r) => setImmediate(r));
            t0 = performance.now();
          }
        }
      }
      await cache.get(`html|${page.slug}|${themeOf(undefined)}|`, pageHtml(page, themeOf(undefined), null));
    }
  })().catch(() => undefined);
  o.ready?.(warm);

  /** A public page for anyone; any other page for signed-in users (as need('viewer')). */
  const readable: MiddlewareHandler<WebEnv> = async (c, next) => {
    const page = find(c.req.param('slug') ?? '');
    if (!page) return c.text('no such status page', 404);
    if (page.public) return next();
    return viewer(c, next);
  };
  const pageOf = (c: WebContext): StatusPageConfig => find(c.req.param('slug') ?? '')!;

  r.get('/status/:slug', readable, async (c) => {
    const page = pageOf(c);
    const auth = c.get('auth');
    const manage = auth ? `/status-pages/${encodeURIComponent(page.slug)}` : null;
    const theme = themeOf(getCookie(c, THEME_COOKIE));
    await warm;
    return send(
      c,
      `html|${page.slug}|${theme}|${manage ?? ''}`,
      'text/html; charset=UTF-8',
      pageHtml(page, theme, manage),
      page.public && !manage ? 'public' : 'private',
    );
  });

  r.get('/status/:slug/summary.json', readable, async (c) => {
    const page = pageOf(c);
    if (page.public) c.header('Access-Control-Allow-Origin', '*');
    await warm;
    return send(c, `json|${page.slug}`, 'application/json', async () => JSON.stringify(statusJson(build(page))), page.public ? 'public' : 'private');
  });

  r.get('/status/:slug/feed.atom', readable, (c) => {
    const page = pageOf(c);
    const url = new URL(c.req.url);
    const pageUrl = `${url.origin}/status/${page.slug}`;
    const body = atomFeed({
      title: page.title,
      pageUrl,
      feedUrl: `${pageUrl}/feed.atom`,
      host: url.hostname,
      slug: page.slug,
      now: site.clock.now(),
      incidents: recent(page.slug),
    });
    return c.body(body, 200, { 'Content-Type': 'application/atom+xml; charset=utf-8' });
  });

  // ---- for signed-in users

  const list = (c: WebContext, flash?: string) => {
    const pages = site.settings.statusPages;
    const open = Object.fromEntries(pages.map((p) => [p.slug, recent(p.slug).filter((i) => i.resolved === null).length]));
    return html(c, <StatusPagesList ctx={pageCtx(c, d, null)} pages={pages} open={open} flash={flash} />);
  };
  const manage = (
    c: WebContext,
    page: StatusPageConfig,
    o: { s?: FormState; incident?: FormState; flash?: string; error?: string; status?: 200 | 404 | 409 | 422 } = {},
  ) =>
    html(
      c,
      <StatusPageManage
        ctx={pageCtx(c, d, null)}
        page={page}
        s={o.s ?? empty(pageValues(page))}
        incident={o.incident ?? empty({ impact: 'minor', status: 'investigating' })}
        incidents={recent(page.slug)}
        flash={o.flash}
        error={o.error}
      />,
      o.status ?? 200,
    );

  r.get('/status-pages', viewer, (c) => list(c, c.req.query('deleted') ? 'Status page deleted.' : undefined));
  r.get('/status-pages/new', need('operator'), (c) => html(c, <StatusPageNew ctx={pageCtx(c, d, null)} s={empty(pageValues(null))} />));

  /** Saves the page from a form into `statusPages` (replacing `replace`, or appended); form errors as a FormState. */
  const save = async (form: FormValues, replace: string | null): Promise<FormState | null> => {
    const read = pageFromForm((k) => form.get(k) ?? '');
    if (Object.keys(read.errors).length) return formState(form, read.errors);
    const slug = String(read.page.slug);
    if (slug !== replace && find(slug)) return formState(form, { slug: 'another status page already uses this slug' });
    const res = await site.mutate((doc) => {
      const pages = Array.isArray(doc.statusPages) ? [...(doc.statusPages as Record<string, unknown>[])] : [];
      const at = replace === null ? -1 : pages.findIndex((p) => p && p.slug === replace);
      if (at >= 0) pages[at] = read.page;
      else pages.push(read.page);
      return { ...doc, statusPages: pages };
    });
    if (res.ok) return null;
    const errors: Record<string, string> = {};
    const general: string[] = [];
    for (const i of res.issues) {
      const field = i.path[0] === 'statusPages' ? i.path[2] : undefined;
      if (typeof field === 'string' && ['slug', 'title', 'description', 'logo', 'public', 'responseTime', 'groups'].includes(field))
        errors[field] ??= i.message;
      else general.push(formatIssue(i));
    }
    return formState(form, errors, general);
  };

  r.post('/status-pages', need('operator'), async (c) => {
    const form = formValues(await c.req.parseBody({ all: true }));
    const bad = await save(form, null);
    if (bad) return html(c, <StatusPageNew ctx={pageCtx(c, d, null)} s={bad} />, 422);
    site.warn(`Status page ${form.get('slug') ?? ''} created by ${authOf(c).user}`, 'info');
    return c.redirect(`/status-pages/${encodeURIComponent((form.get('slug') ?? '').trim())}?saved=1`, 303);
  });

  r.get('/status-pages/:slug', viewer, (c) => {
    const page = find(c.req.param('slug'));
    if (!page) return c.text('no such status page', 404);
    return manage(c, page, { flash: c.req.query('saved') ? 'Saved.' : c.req.query('posted') ? 'Incident published.' : undefined });
  });

  r.post('/status-pages/:slug', need('operator'), async (c) => {
    const page = find(c.req.param('slug'));
    if (!page) return c.text('no such status page', 404);
    const form = formValues(await c.req.parseBody({ all: true }));
    const bad = await save(form, page.slug);
    if (bad) return manage(c, page, { s: bad, status: 422 });
    site.warn(`Status page ${page.slug} changed by ${authOf(c).user}`, 'info');
    return c.redirect(`/status-pages/${encodeURIComponent((form.get('slug') ?? '').trim())}?saved=1`, 303);
  });

  r.post('/status-pages/:slug/delete', need('operator'), async (c) => {
    const page = find(c.req.param('slug'));
    if (!page) return c.text('no such status page', 404);
    const form = formValues(await c.req.parseBody({ all: true }));
    if (form.get('confirm') !== 'yes') {
      return html(
        c,
        <ConfirmPage
          ctx={pageCtx(c, d, null)}
          title="Delete status page"
          question={`Delete the status page ${page.title}? Its incidents are kept.`}
          action={`/status-pages/${encodeURIComponent(page.slug)}/delete`}
          button="Delete page"
          danger
          cancel={`/status-pages/${encodeURIComponent(page.slug)}`}
        />,
      );
    }
    const res = await site.mutate((doc) => ({
      ...doc,
      statusPages: (Array.isArray(doc.statusPages) ? (doc.statusPages as Record<string, unknown>[]) : []).filter((p) => !p || p.slug !== page.slug),
    }));
    if (!res.ok) return manage(c, page, { error: res.issues.map(formatIssue).join('; '), status: 422 });
    site.warn(`Status page ${page.slug} deleted by ${authOf(c).user}`, 'info');
    return c.redirect('/status-pages?deleted=1', 303);
  });

  const pick = <T extends string>(v: string | undefined, list: readonly T[], dflt: T): T => (list.includes(v as T) ? (v as T) : dflt);

  r.post('/status-pages/:slug/incidents', need('operator'), async (c) => {
    const page = find(c.req.param('slug'));
    if (!page) return c.text('no such status page', 404);
    const form = formValues(await c.req.parseBody({ all: true }));
    try {
      // an incident opened or updated shows on the public page at once (page edits: the config event)
      cache.clear();
      const i = incidents.open(page.slug, {
        title: form.get('title') ?? '',
        body: form.get('body') ?? '',
        author: authOf(c).user,
        impact: pick<Impact>(form.get('impact'), IMPACTS, 'minor'),
        status: pick<Stage>(form.get('status'), STAGES, 'investigating'),
      });
      site.warn(`Incident "${i.title}" opened on status page ${page.slug} by ${authOf(c).user}`, 'info');
    } catch (e) {
      if (!(e instanceof IncidentError)) throw e;
      return manage(c, page, { incident: formState(form, {}, [`Not published: ${e.message}.`]), status: 422 });
    }
    return c.redirect(`/status-pages/${encodeURIComponent(page.slug)}?posted=1`, 303);
  });

  r.post('/status-pages/:slug/incidents/:id', need('operator'), async (c) => {
    const page = find(c.req.param('slug'));
    const id = Number(c.req.param('id'));
    const cur = Number.isSafeInteger(id) ? incidents.get(id) : null;
    if (!page || !cur || cur.page !== page.slug) return c.text('no such incident', 404);
    const form = formValues(await c.req.parseBody({ all: true }));
    try {
      cache.clear();
      incidents.update(id, { status: pick<Stage>(form.get('status'), STAGES, 'investigating'), body: form.get('body') ?? '', author: authOf(c).user });
    } catch (e) {
      if (!(e instanceof IncidentError)) throw e;
      return manage(c, page, { error: `Not posted: ${e.message}.`, status: 422 });
    }
    return c.redirect(`/status-pages/${encodeURIComponent(page.slug)}?posted=1#incident-${id}`, 303);
  });

  return r;
}
