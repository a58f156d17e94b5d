/**
 * GET /zone (issue 23, docs/ha.md): the HA zone this node belongs to, its
 * nodes as this node sees them (up/down, version, checks run) and the
 * config revision this node runs. A site outside a zone answers
 * `{"zone": null, "node": null, "configRevision": null, "configProblem": null, "nodes": [], "trust": null}`; `trust` is
 * the zone's message authentication (src/zone/guard.ts).
 */
import { createRoute } from '@hono/zod-openapi';
import type { z } from 'zod';
import type { ZoneHook } from '../../zone/hook.ts';
import { ZoneSchema } from '../schemas.ts';
import { iso } from '../views.ts';
import { ERRORS, json, secured, type ApiApp, type RouteDeps } from './common.ts';

export function zoneJson(z: ZoneHook | null): z.infer<typeof ZoneSchema> {
  if (!z) return { zone: null, node: null, configRevision: null, configProblem: null, nodes: [], trust: null };
  const t = z.trust?.() ?? null;
  const cp = z.configProblem?.() ?? null;
  return {
    zone: z.zone,
    node: z.node,
    configRevision: z.configRevision ?? null,
    configProblem: cp && { since: iso(cp.since), message: cp.message },
    nodes: z.members().map((m) => ({ name: m.name, status: m.status, checks: m.checks, version: m.version, heard: iso(m.heardAt), self: m.name === z.node })),
    trust: t && {
      authenticated: t.authenticated,
      keyIds: t.keyIds,
      verified: t.verified,
      rejected: t.rejected,
      lastRejected: t.lastRejected && { ...t.lastRejected, at: iso(t.lastRejected.at) },
      onlyRejected: t.onlyRejected,
      warning: t.warning,
    },
  };
}

/** /healthz's `zone`: what the zone has to warn of there. */
export interface ZoneHealth {
  authenticated?: boolean;
  onlyRejected?: boolean;
  warning?: string;
  configWarning?: string;
  configWarningSince?: string;
}

/**
 * /healthz's `zone` detail, null when there is nothing to show (no zone, or
 * neither part): the zone's message authentication (docs/ha.md "Trust") and,
 * after it, a config that does not reach this node ("A node that hears no
 * config"). Both are warnings, never a reason for 503.
 */
export function zoneHealth(z: ZoneHook | null): ZoneHealth | null {
  const t = z?.trust?.() ?? null;
  const cp = z?.configProblem?.() ?? null;
  if (!t && !cp) return null;
  const detail: ZoneHealth = {};
  if (t) {
    detail.authenticated = t.authenticated;
    detail.onlyRejected = t.onlyRejected;
    if (t.warning) detail.warning = t.warning;
  }
  if (cp) {
    detail.configWarning = cp.message;
    detail.configWarningSince = new Date(cp.since).toISOString();
  }
  return detail;
}

export function zoneRoutes(app: ApiApp, { site, tokens }: RouteDeps): void {
  app.openapi(
    createRoute(
      secured(tokens, 'read', {
        method: 'get',
        path: '/zone',
        tags: ['site'],
        summary: "The HA zone: this node, the zone's nodes (up/down, version, checks run) and the config revision (docs/ha.md)",
        responses: { 200: json(ZoneSchema, 'the zone'), 401: ERRORS[401] },
      }),
    ),
    (c) => c.json(zoneJson(site.zone), 200, { 'Cache-Control': 'no-store' }),
  );
}
