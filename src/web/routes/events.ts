/**
 * `GET /events`: the live-update stream of one open page (Server-Sent
 * Events). The page says what it shows (`view=checks&q=…`); the hub sends
 * the partials that changed. The stream ends with the session.
 */
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { allows } from '../auth.ts';
import { authOf, need, type WebEnv } from '../context.ts';
import type { WebDeps } from '../deps.ts';
import { parseView, type LiveClient } from '../live.ts';

export function eventRoutes(d: WebDeps): Hono<WebEnv> {
  const r = new Hono<WebEnv>();
  r.get('/events', need('viewer'), (c) => {
    const a = authOf(c);
    const view = parseView((k) => c.req.query(k));
    const res = streamSSE(c, async (stream) => {
      let done: () => void = () => undefined;
      const ended = new Promise<void>((res) => (done = res));
      const client: LiveClient = {
        view,
        session: a.session.id,
        csrf: a.session.csrf,
        operate: allows(a.role, 'operator'),
        send: (m) => stream.writeSSE(m.event ? { event: m.event, data: m.data } : { data: m.data }),
        ping: () => stream.write(': ping\n\n').then(() => undefined),
        close: () => done(),
      };
      stream.onAbort(() => {
        d.hub.remove(client);
        done();
      });
      d.hub.add(client);
      // tells the browser how soon to reconnect after a drop (ms)
      await stream.writeSSE({ event: 'sw-hello', data: '', retry: 2000 });
      await ended;
    });
    // connection-level headers are forbidden in HTTP/2 (RFC 9113 §8.2.2); Node chunks HTTP/1.1 by itself
    res.headers.delete('Connection');
    res.headers.delete('Transfer-Encoding');
    return res;
  });
  return r;
}
