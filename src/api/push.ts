/**
 * `GET|POST /push/<token>[/fail]` — push-check heartbeats. Query (or form
 * body): `status=fail` (also `down`) reports a failure, `msg=` a message; a
 * plain-text POST body is the message. Unknown tokens get 404 with an empty
 * body and nothing else; each client address is rate limited, and guessing
 * tokens quickly runs into 429.
 */
import { Hono, type Context } from 'hono';
import type { ApiSite } from './api-site.ts';
import type { PushHub } from '../checks/push/hub.ts';
import { RateLimiter, clientAddress } from './ratelimit.ts';
import { SAVE_RETRY_SECONDS } from './errors.ts';

const FAIL = new Set(['fail', 'down', 'error']);
const OK = new Set(['', 'ok', 'up', 'success', 'pass']);
const MAX_BODY = 10_000;

async function readInput(c: Context): Promise<{ status: string; msg: string | null }> {
  let status = c.req.query('status') ?? '';
  let msg = c.req.query('msg') ?? null;
  if (c.req.method === 'POST') {
    const type = c.req.header('content-type') ?? '';
    const text = (await c.req.text()).slice(0, MAX_BODY);
    if (type.startsWith('application/x-www-form-urlencoded')) {
      const form = new URLSearchParams(text);
      status = form.get('status') ?? status;
      msg = form.get('msg') ?? msg;
    } else if (text && msg === null && (type === '' || type.startsWith('text/'))) {
      msg = text;
    }
  }
  return { status: status.toLowerCase(), msg };
}

export function pushRoutes(site: ApiSite, hub: PushHub): Hono {
  const app = new Hono();
  const perClient = new RateLimiter({ burst: 60, perSecond: 1 }, () => site.clock.now());
  const misses = new RateLimiter({ burst: 10, perSecond: 0.1 }, () => site.clock.now());

  const handle = async (c: Context, forceFail: boolean): Promise<Response> => {
    const who = clientAddress(c);
    const wait = perClient.take(who);
    if (wait > 0) return c.body(null, 429, { 'Retry-After': String(wait) });
    const token = c.req.param('token') ?? '';
    if (hub.find(token) === undefined) {
      const w = misses.take(who);
      return w > 0 ? c.body(null, 429, { 'Retry-After': String(w) }) : c.body(null, 404);
    }
    const input = await readInput(c);
    if (!forceFail && !FAIL.has(input.status) && !OK.has(input.status)) {
      return c.text('status must be fail or ok\n', 400);
    }
    const state = await hub.heartbeat(token, { fail: forceFail || FAIL.has(input.status), msg: input.msg });
    if (!state) return c.body(null, 404);
    c.header('Cache-Control', 'no-store');
    // the check has the heartbeat, but only in memory: no OK for what is not stored (issue 16)
    if (site.runtime.unstoredCount > 0) {
      return c.text(`heartbeat received but not stored: ${site.storage.problem?.message ?? 'the database refused it'}\n`, 503, {
        'Retry-After': String(SAVE_RETRY_SECONDS),
      });
    }
    return c.text('OK\n', 200);
  };

  for (const method of ['GET', 'POST'] as const) {
    app.on(method, '/push/:token', (c) => handle(c, false));
    app.on(method, '/push/:token/fail', (c) => handle(c, true));
  }
  return app;
}
