/**
 * Every REST endpoint with the scope it needs and a request that succeeds
 * against SITE (shared by the scope matrix and the OpenAPI tests).
 */
import type { Scope } from '../../src/api/tokens.ts';
import { siteTokens } from '../../src/api/tokens.ts';
import type { ApiTestSite } from './helpers.ts';

export interface Row {
  method: string;
  path: string | ((t: ApiTestSite) => string);
  /** the path as in the OpenAPI document */
  doc: string;
  need: Scope;
  ok: number;
  body?: unknown;
}

export const ROWS: Row[] = [
  { method: 'GET', path: '/checks', doc: '/checks', need: 'read', ok: 200 },
  { method: 'GET', path: '/checks/web', doc: '/checks/{name}', need: 'read', ok: 200 },
  { method: 'POST', path: '/checks', doc: '/checks', need: 'admin', ok: 201, body: { name: 'new', type: 'disk' } },
  { method: 'PUT', path: '/checks/web', doc: '/checks/{name}', need: 'admin', ok: 200, body: { type: 'disk', options: { volume: '/' } } },
  { method: 'PATCH', path: '/checks/web', doc: '/checks/{name}', need: 'admin', ok: 200, body: { threshold: 2 } },
  { method: 'DELETE', path: '/checks/web', doc: '/checks/{name}', need: 'admin', ok: 204 },
  { method: 'POST', path: '/checks/web/run', doc: '/checks/{name}/run', need: 'operate', ok: 200 },
  { method: 'POST', path: '/checks/web/pause', doc: '/checks/{name}/pause', need: 'operate', ok: 200 },
  { method: 'POST', path: '/checks/web/resume', doc: '/checks/{name}/resume', need: 'operate', ok: 200 },
  { method: 'GET', path: '/checks/web/history', doc: '/checks/{name}/history', need: 'read', ok: 200 },
  { method: 'GET', path: '/checks/web/notifications', doc: '/checks/{name}/notifications', need: 'read', ok: 200 },
  { method: 'GET', path: '/reports', doc: '/reports', need: 'read', ok: 200 },
  // a new check starts in FAIL (spec §3.1): it can be acknowledged
  { method: 'POST', path: '/checks/web/ack', doc: '/checks/{name}/ack', need: 'operate', ok: 200, body: { comment: 'on it' } },
  { method: 'POST', path: '/checks/web/maintenance', doc: '/checks/{name}/maintenance', need: 'operate', ok: 200, body: { minutes: 30 } },
  { method: 'POST', path: '/checks/web/maintenance/end', doc: '/checks/{name}/maintenance/end', need: 'operate', ok: 200 },
  { method: 'GET', path: '/checks/web/trace', doc: '/checks/{name}/trace', need: 'read', ok: 200 },
  { method: 'GET', path: '/actions', doc: '/actions', need: 'read', ok: 200 },
  { method: 'GET', path: '/actions/sitelog', doc: '/actions/{name}', need: 'read', ok: 200 },
  { method: 'POST', path: '/actions', doc: '/actions', need: 'admin', ok: 201, body: { name: 'more', type: 'log' } },
  { method: 'PUT', path: '/actions/sitelog', doc: '/actions/{name}', need: 'admin', ok: 200, body: { type: 'log', options: {} } },
  { method: 'PATCH', path: '/actions/sitelog', doc: '/actions/{name}', need: 'admin', ok: 200, body: { options: {} } },
  { method: 'DELETE', path: '/actions/sitelog', doc: '/actions/{name}', need: 'admin', ok: 204 },
  { method: 'POST', path: '/actions/sitelog/test', doc: '/actions/{name}/test', need: 'operate', ok: 200 },
  { method: 'GET', path: '/status', doc: '/status', need: 'read', ok: 200 },
  { method: 'GET', path: '/metrics/all', doc: '/metrics/all', need: 'read', ok: 200 },
  { method: 'GET', path: '/zone', doc: '/zone', need: 'read', ok: 200 },
  { method: 'GET', path: '/tokens', doc: '/tokens', need: 'admin', ok: 200 },
  { method: 'POST', path: '/tokens', doc: '/tokens', need: 'admin', ok: 201, body: { name: 'ci', scope: 'read' } },
  {
    method: 'DELETE',
    doc: '/tokens/{id}',
    need: 'admin',
    ok: 204,
    path: (t) => `/tokens/${siteTokens(t.site).create({ name: 'spare', scope: 'read' }).token.id}`,
  },
];

export const SITE = {
  actions: { sitelog: { type: 'log', options: {} } },
  checks: { web: { type: 'disk', options: { volume: '/' }, actions: ['sitelog'] } },
  // a planned window covering `web` now, so that "end maintenance now" has one to end
  maintenance: { planned: { start: '2000-01-01T00:00:00Z', end: '2100-01-01T00:00:00Z', checks: ['web'] } },
};
