/**
 * /healthz's `zone` detail (src/api/routes/zone.ts zoneHealth): the zone's message
 * authentication (docs/ha.md "Trust") and a config that does not reach this
 * node ("A node that hears no config"), each a warning, never a 503. The
 * exact JSON, key order included, for each combination, on a real Site
 * whose API view carries a zone hook that says what the case needs (the
 * zone tests show the same fields from real zones on a real broker).
 */
import { afterEach, expect, it } from 'vitest';
import { openTestSite, type TestSite } from '../helpers/site.ts';
import { apiRoutes, createApiContext } from '../../src/api/app.ts';
import type { ApiSite } from '../../src/api/api-site.ts';
import { API_MIGRATIONS } from '../../src/api/tokens.ts';
import { apiSiteView } from '../../src/wiring.ts';
import type { ZoneHook } from '../../src/zone/hook.ts';
import { REJECT_REASONS, type ZoneTrust } from '../../src/zone/guard.ts';
import type { ConfigProblem } from '../../src/zone/config-hearing.ts';

const SINCE = Date.UTC(2026, 11, 7, 22, 0, 0);
const DEAF = 'zone config: node b receives no config messages (node a runs revision 4, this node 3)';

function trust(o: Partial<ZoneTrust>): ZoneTrust {
  const none = Object.fromEntries(REJECT_REASONS.map((r) => [r, 0])) as ZoneTrust['rejected'];
  return { authenticated: true, keyIds: ['k1'], verified: 3, rejected: none, lastRejected: null, warning: null, onlyRejected: false, ...o };
}

function hook(t: ZoneTrust | null, cp: ConfigProblem | null): ZoneHook {
  return {
    zone: 'hq',
    node: 'b',
    runsHere: () => true,
    notifies: () => ({ send: false }),
    queued: () => undefined,
    owner: () => null,
    members: () => [],
    trust: () => t,
    configProblem: () => cp,
  };
}

let open: TestSite | null = null;
afterEach(async () => {
  await open?.close();
  open = null;
});

/** /healthz's body as text (its key order), served for a site whose zone hook is `zone`. */
async function healthz(zone: ZoneHook | null): Promise<{ status: number; zone: string | undefined }> {
  open = await openTestSite({ checks: {} }, { dbPath: ':memory:', migrations: [API_MIGRATIONS] });
  const view: ApiSite = Object.create(apiSiteView(open.site), { zone: { value: zone } }) as ApiSite;
  const r = await apiRoutes(createApiContext(view)).request('/healthz');
  const body = (await r.json()) as Record<string, unknown>;
  return { status: r.status, zone: body.zone === undefined ? undefined : JSON.stringify(body.zone) };
}

it('no zone, or a zone with nothing to say: no `zone` in /healthz', async () => {
  expect(await healthz(null)).toEqual({ status: 503, zone: undefined }); // not started: 'starting'
  expect((await healthz(hook(null, null))).zone).toBeUndefined();
});

it('the trust alone: authenticated and onlyRejected, with its warning only when it has one', async () => {
  expect((await healthz(hook(trust({}), null))).zone).toBe('{"authenticated":true,"onlyRejected":false}');
  const warned = trust({ authenticated: false, warning: 'zone hq is unauthenticated' });
  expect((await healthz(hook(warned, null))).zone).toBe('{"authenticated":false,"onlyRejected":false,"warning":"zone hq is unauthenticated"}');
});

it('the config warning alone, and after the trust when both are there', async () => {
  const cp = { since: SINCE, message: DEAF };
  expect((await healthz(hook(null, cp))).zone).toBe(`{"configWarning":${JSON.stringify(DEAF)},"configWarningSince":"2026-12-07T22:00:00.000Z"}`);
  const only = trust({ onlyRejected: true, warning: 'node b hears only rejected zone messages' });
  expect((await healthz(hook(only, cp))).zone).toBe(
    `{"authenticated":true,"onlyRejected":true,"warning":"node b hears only rejected zone messages","configWarning":${JSON.stringify(DEAF)},"configWarningSince":"2026-12-07T22:00:00.000Z"}`,
  );
});
