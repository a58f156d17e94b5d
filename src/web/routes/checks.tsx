/**
 * The checks list and what can be done to a check from it or from its page:
 * run, pause/resume, clone, move, delete (spec §8.3, §8.6). Every one is a
 * POST (or an htmx DELETE) with a CSRF token; fletchck's GET links
 * (`/clone/x`, `/move/x`) now show a confirmation form.
 */
import { Hono } from 'hono';
import { deleteCheck, putCheck } from '../../config/edits.ts';
import { formatIssue, type Issue } from '../../config/issues.ts';
import { authOf, isHtmx, need, safeNext, type WebContext, type WebEnv } from '../context.ts';
import type { WebDeps } from '../deps.ts';
import { formValues, type FormValues } from '../fields.ts';
import { operatorEdit } from '../scope.ts';
import { buildList, parseQuery, queryString } from '../checklist.ts';
import { grouping, membersOf, rawCheck } from '../model.ts';
import { cloneCheck, movePriorities, setPriorities } from '../ordering.ts';
import { allows } from '../auth.ts';
import { checksData, fragment, html, pageCtx, rowContext } from '../render.tsx';
import type { LiveView } from '../live.ts';
import { checkUrl } from '../view-data.ts';

/** The page an action came from (hidden `view`/`back` fields), for htmx answers and redirects. */
function origin(form: FormValues, name: string): { view: LiveView; back: string } {
  const back = safeNext(form.get('back') ?? '/checks');
  const v = form.get('view');
  if (v === 'home') return { view: { kind: 'home' }, back };
  if (v === 'check') return { view: { kind: 'check', name }, back };
  const q = new URL(back, 'http://x').searchParams;
  return { view: { kind: 'checks', query: q.toString() }, back };
}

export async function failed(c: WebContext, d: WebDeps, title: string, issues: readonly Issue[], status: 403 | 422 = 422): Promise<Response> {
  const msg =
    issues
      .filter((i) => i.severity === 'error')
      .map(formatIssue)
      .join('; ') || 'the change was refused';
  if (isHtmx(c)) return c.text(`${title}: ${msg}`, status);
  const { MessagePage } = d.pages;
  return html(c, <MessagePage ctx={pageCtx(c, d, null)} title={title} message={msg} back="/checks" error />, status);
}

export function notFound(c: WebContext, d: WebDeps, what: string): Promise<Response> {
  const { MessagePage } = d.pages;
  return html(c, <MessagePage ctx={pageCtx(c, d, null)} title="Not found" message={`There is no ${what}.`} back="/" error />, 404);
}

/** After a configuration change: reload the list (htmx) or go back. */
function changed(c: WebContext, o: { view: LiveView; back: string }, goto?: string): Response {
  if (isHtmx(c)) {
    if (goto) c.header('HX-Redirect', goto);
    else if (o.view.kind === 'checks') c.header('HX-Trigger', 'sw-config');
    else c.header('HX-Refresh', 'true');
    return c.body(null, 204);
  }
  return c.redirect(goto ?? o.back, 303);
}

export function checksRoutes(d: WebDeps): Hono<WebEnv> {
  const { ChecksPage, CheckListView, ConfirmPage } = d.pages;
  const r = new Hono<WebEnv>();
  const { site } = d;
  const exists = (name: string): boolean => site.entry(name) !== undefined;

  r.get('/checks', need('viewer'), async (c) => {
    const query = parseQuery((k) => c.req.query(k));
    const list = buildList(site, query, { display: (e) => d.tally.display(e) });
    const qs = queryString(list.query);
    const ctx = pageCtx(c, d, { kind: 'checks', query: qs });
    const deleted = c.req.query('deleted');
    const rowCtx = rowContext(site, d, { csrf: ctx.csrf, operate: ctx.can.operate }, `/checks${qs ? `?${qs}` : ''}`);
    return html(
      c,
      <ChecksPage ctx={ctx} rowCtx={rowCtx} d={{ ...checksData(site, list, d.tally), flash: deleted ? `Deleted check "${deleted}".` : undefined }} />,
    );
  });

  r.get('/checks/list', need('viewer'), async (c) => {
    const list = buildList(
      site,
      parseQuery((k) => c.req.query(k)),
      { display: (e) => d.tally.display(e) },
    );
    const a = authOf(c);
    const qs = queryString(list.query);
    const back = `/checks${qs ? `?${qs}` : ''}`;
    c.header('HX-Push-Url', back);
    return html(c, <CheckListView list={list} ctx={rowContext(site, d, { csrf: a.session.csrf, operate: allows(a.role, 'operator') }, back)} />);
  });

  r.post('/check/:name/run', need('operator'), async (c) => {
    const name = c.req.param('name');
    if (!exists(name)) return notFound(c, d, `check named "${name}"`);
    const o = origin(formValues(await c.req.parseBody({ all: true })), name);
    // who ran it, for the check's incident timeline (src/web/incidents.ts)
    site.warn(`${name} run by hand by ${authOf(c).user}`, 'info');
    await site.runNow(name);
    if (isHtmx(c)) {
      const names = new Set([name, ...membersOf(site.loaded, name)]);
      const a = authOf(c);
      const body = await fragment(site, d, o.view, { csrf: a.session.csrf, operate: true }, { states: names, ran: names, lines: [] });
      return c.html(body);
    }
    return c.redirect(o.back, 303);
  });

  r.post('/check/:name/pause', need('operator'), async (c) => {
    const name = c.req.param('name');
    if (!exists(name)) return notFound(c, d, `check named "${name}"`);
    const form = formValues(await c.req.parseBody({ all: true }));
    const paused = form.get('paused') === '1';
    const res = await site.mutate(
      operatorEdit(authOf(c).role, (doc) => {
        const raw = rawCheck(site.loaded, name);
        return raw ? putCheck(doc, name, { ...raw, paused }) : doc;
      }),
    );
    if (!res.ok) return failed(c, d, paused ? 'Pause failed' : 'Resume failed', res.issues);
    site.warn(`${name} ${paused ? 'paused' : 'resumed'} by ${authOf(c).user}`, 'info');
    return changed(c, origin(form, name));
  });

  r.post('/check/:name/clone', need('operator'), async (c) => {
    const name = c.req.param('name');
    if (!exists(name)) return notFound(c, d, `check named "${name}"`);
    const form = formValues(await c.req.parseBody({ all: true }));
    let made: string | null = null;
    const res = await site.mutate(
      operatorEdit(authOf(c).role, (doc) => {
        const out = cloneCheck(doc, site.loaded, grouping(site), name);
        if (!out) return doc;
        made = out.name;
        return out.doc;
      }),
    );
    if (!res.ok) return failed(c, d, 'Clone failed', res.issues);
    if (made === null) return failed(c, d, 'Clone failed', [{ path: ['checks', name], message: 'this type of check cannot be cloned', severity: 'error' }]);
    site.warn(`Cloned ${name} as ${made as string}`);
    const o = origin(form, name);
    return changed(c, o, o.view.kind === 'check' ? checkUrl(made) : undefined);
  });

  r.post('/check/:name/move', need('operator'), async (c) => {
    const name = c.req.param('name');
    if (!exists(name)) return notFound(c, d, `check named "${name}"`);
    const form = formValues(await c.req.parseBody({ all: true }));
    const dir = form.get('dir') === 'up' ? 'up' : 'down';
    // the checks page's rows share one form: their group travels in the URL
    const group = form.has('group') ? (form.get('group') ?? '') : c.req.query('group');
    const res = await site.mutate(
      operatorEdit(authOf(c).role, (doc) => {
        const prio = movePriorities(site.loaded, grouping(site), name, dir, group);
        return prio ? setPriorities(doc, prio) : doc;
      }),
    );
    if (!res.ok) return failed(c, d, 'Move failed', res.issues);
    return changed(c, origin(form, name));
  });

  const remove = async (c: WebContext, name: string): Promise<{ ok: boolean; issues: Issue[] }> => {
    const res = await site.mutate(operatorEdit(authOf(c).role, (doc) => deleteCheck(doc, name)));
    if (res.ok) site.warn(`Deleted check ${name}`);
    return res;
  };

  r.delete('/check/:name', need('operator'), async (c) => {
    const name = c.req.param('name');
    if (!exists(name)) return c.text('no such check', 404);
    const res = await remove(c, name);
    if (!res.ok) return failed(c, d, 'Delete failed', res.issues);
    const here = c.req.header('HX-Current-URL');
    if (here && new URL(here, 'http://x').pathname === checkUrl(name)) c.header('HX-Redirect', `/checks?deleted=${encodeURIComponent(name)}`);
    else c.header('HX-Trigger', 'sw-config');
    return c.body(null, 204);
  });

  r.get('/check/:name/delete', need('operator'), async (c) => {
    const name = c.req.param('name');
    if (!exists(name)) return notFound(c, d, `check named "${name}"`);
    return html(
      c,
      <ConfirmPage
        ctx={pageCtx(c, d, null)}
        title="Delete check"
        question={`Delete the check "${name}"? Its history is kept until it expires.`}
        action={checkUrl(name, '/delete')}
        button="Delete"
        danger
        cancel={checkUrl(name)}
      />,
    );
  });

  r.post('/check/:name/delete', need('operator'), async (c) => {
    const name = c.req.param('name');
    if (!exists(name)) return notFound(c, d, `check named "${name}"`);
    const form = formValues(await c.req.parseBody({ all: true }));
    if (form.get('confirm') !== 'yes') return c.redirect(checkUrl(name, '/delete'), 303);
    const res = await remove(c, name);
    if (!res.ok) return failed(c, d, 'Delete failed', res.issues);
    return c.redirect(`/checks?deleted=${encodeURIComponent(name)}`, 303);
  });

  // fletchck's state-changing GET links now ask first (spec §8.3, §9.9)
  r.get('/clone/:name', need('operator'), async (c) => {
    const name = c.req.param('name');
    if (!exists(name)) return notFound(c, d, `check named "${name}"`);
    return html(
      c,
      <ConfirmPage
        ctx={pageCtx(c, d, null)}
        title="Clone check"
        question={`Clone the check "${name}"?`}
        action={checkUrl(name, '/clone')}
        button="Clone"
        fields={{ back: '/checks' }}
        cancel="/checks"
      />,
    );
  });

  r.get('/move/:name', need('operator'), async (c) => {
    const name = c.req.param('name');
    if (!exists(name)) return notFound(c, d, `check named "${name}"`);
    const dir = c.req.query('m') === 'up' ? 'up' : 'down';
    return html(
      c,
      <ConfirmPage
        ctx={pageCtx(c, d, null)}
        title="Move check"
        question={`Move "${name}" ${dir}?`}
        action={checkUrl(name, '/move')}
        button={`Move ${dir}`}
        fields={{ dir, back: '/checks' }}
        cancel="/checks"
      />,
    );
  });

  return r;
}
