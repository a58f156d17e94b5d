/** The hosts view: /hosts, every role (issue 22 "Hosts"; src/web/hosts/, views/pages/hosts.tsx). */
import { Hono } from 'hono';
import { need, type WebEnv } from '../context.ts';
import type { WebDeps } from '../deps.ts';
import { html, pageCtx } from '../render.tsx';

export function hostRoutes(d: WebDeps): Hono<WebEnv> {
  const { HostsPage } = d.pages;
  const r = new Hono<WebEnv>();
  r.get('/hosts', need('viewer'), (c) => html(c, <HostsPage ctx={pageCtx(c, d, { kind: 'hosts' })} hosts={d.hosts.all()} now={d.site.clock.now()} />));
  return r;
}
