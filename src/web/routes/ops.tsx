/**
 * Operations from a check's page (issue 19): acknowledge, maintenance now,
 * end maintenance. POST with the CSRF token, operator role; who did it (the
 * signed-in user) and why go to the site log (src/ops/commands.ts).
 */
import { Hono } from 'hono';
import { authOf, need, type WebContext, type WebEnv } from '../context.ts';
import type { WebDeps } from '../deps.ts';
import { formValues } from '../fields.ts';
import { operatorEdit } from '../scope.ts';
import { endMaintenance, maintenanceNow, MAX_NOTE, type CommandDeps, type CommandResult } from '../../ops/commands.ts';
import { html, pageCtx } from '../render.tsx';
import { notFound } from './checks.tsx';
import { checkUrl } from '../view-data.ts';

export function opsRoutes(d: WebDeps): Hono<WebEnv> {
  const { MessagePage } = d.pages;
  const r = new Hono<WebEnv>();
  const { site } = d;
  const deps = (c: WebContext): CommandDeps => ({
    ops: site.ops,
    now: () => site.clock.now(),
    warn: (m, l) => site.warn(m, l),
    mutate: (edit) => site.mutate(operatorEdit(authOf(c).role, edit)),
  });
  const done = (c: WebContext, name: string, res: CommandResult, title: string): Response | Promise<Response> => {
    if (res.ok) return c.redirect(checkUrl(name), 303);
    return html(c, <MessagePage ctx={pageCtx(c, d, null)} title={title} message={res.error} back={checkUrl(name)} error />, 409);
  };

  r.post('/check/:name/ack', need('operator'), async (c) => {
    const name = c.req.param('name');
    if (!site.entry(name)) return notFound(c, d, `check named "${name}"`);
    const form = formValues(await c.req.parseBody({ all: true }));
    const res = site.ops.acknowledge(name, authOf(c).user, (form.get('comment') ?? '').slice(0, MAX_NOTE));
    return done(c, name, res.ok ? { ok: true, message: '' } : res, 'Acknowledge failed');
  });

  r.post('/check/:name/maintenance', need('operator'), async (c) => {
    const name = c.req.param('name');
    if (!site.entry(name)) return notFound(c, d, `check named "${name}"`);
    const form = formValues(await c.req.parseBody({ all: true }));
    const minutes = Number(form.get('minutes') ?? '60');
    return done(c, name, await maintenanceNow(deps(c), name, minutes, authOf(c).user, form.get('reason') ?? ''), 'Maintenance failed');
  });

  r.post('/check/:name/maintenance/end', need('operator'), async (c) => {
    const name = c.req.param('name');
    if (!site.entry(name)) return notFound(c, d, `check named "${name}"`);
    return done(c, name, await endMaintenance(deps(c), name, authOf(c).user), 'Ending maintenance failed');
  });
  return r;
}
