/**
 * The browser worker: a worker thread that owns the shared Chromium
 * (./pool.ts) and does the runs (./page.ts). Loading playwright-core takes a
 * second or more of CPU, and driving a page is chatty; here neither touches
 * the engine's event loop. ./client.ts starts it on the first browser run
 * and ends it once the browser has closed for being idle.
 */
import { parentPort } from 'node:worker_threads';
import { browserPool } from './pool.ts';
import { runPage } from './page.ts';
import type { ToWorker, FromWorker } from './client.ts';

const port = parentPort!;
const running = new Map<number, AbortController>();
const send = (m: FromWorker): void => port.postMessage(m);

browserPool.onIdleClose = () => send({ kind: 'idle' });

port.on('message', (m: ToWorker) => {
  if (m.kind === 'run') {
    const c = new AbortController();
    running.set(m.id, c);
    runPage(m.job, c.signal)
      .then(
        (outcome) => send({ kind: 'done', id: m.id, outcome }),
        (e: unknown) => send({ kind: 'done', id: m.id, outcome: { fail: true, log: [`internal error: ${String(e)}`] } }),
      )
      .finally(() => running.delete(m.id));
  } else if (m.kind === 'abort') {
    running.get(m.id)?.abort(Object.assign(new Error(m.message), { name: m.name }));
  } else if (m.kind === 'stats') {
    send({ kind: 'stats', id: m.id, stats: browserPool.stats() });
  }
});
