/**
 * The engine's side of the browser worker (./worker.ts): started on the
 * first browser run, a run is one message there and one back, the run's
 * timeout an abort message. When the worker reports that Chromium closed
 * for being idle and no run is pending, the worker is ended too, so the
 * memory of playwright-core goes with it.
 */
import { SHARE_ENV, Worker, type WorkerOptions } from 'node:worker_threads';
import type { Outcome } from '../types.ts';
import { abortReason, detailLine } from '../shared/errors.ts';
import type { PageJob } from './page.ts';
import type { PoolStats } from './pool.ts';
import { hostOf } from './host.ts';
import { BUNDLED, builtFile } from '../../util/bundle.ts';

export type ToWorker = { kind: 'run'; id: number; job: PageJob } | { kind: 'abort'; id: number; name: string; message: string } | { kind: 'stats'; id: number };

export type FromWorker = { kind: 'done'; id: number; outcome: Outcome } | { kind: 'stats'; id: number; stats: PoolStats } | { kind: 'idle' };

/** The worker thread, from the built .js (tsc's, also for the bundle), or from source through tsx (tests, `tsx src/cli.ts`). */
function spawnWorker(): Worker {
  const opts: WorkerOptions = { env: SHARE_ENV };
  if (import.meta.url.endsWith('.ts')) {
    const ts = new URL('./worker.ts', import.meta.url).href;
    return new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(ts)}); })`, { ...opts, eval: true });
  }
  // the bundle's chunks are elsewhere: the worker (a thread of its own) runs tsc's build of it
  return new Worker(BUNDLED ? builtFile('src', 'checks', 'browser', 'worker.js') : new URL('./worker.js', import.meta.url), opts);
}

type Pending = (m: FromWorker) => void;

/** How long an aborted run waits for the worker's own answer (the runner allows 250 ms). */
const ABORT_ANSWER_MS = 100;

export class BrowserClient {
  private worker: Worker | null = null;
  private next = 1;
  private readonly pending = new Map<number, Pending>();
  /** workers started so far (tests) */
  started = 0;

  /** Runs `job` in the worker; resolves with its outcome, or at once with the abort reason when `signal` fires. */
  run(job: PageJob, signal: AbortSignal): Promise<Outcome> {
    const w = this.ensure();
    const id = this.next++;
    return new Promise<Outcome>((resolve) => {
      let late: NodeJS.Timeout | undefined;
      const onAbort = (): void => {
        const r = abortReason(signal);
        // the worker stops the page and saves its screenshot; its answer names the
        // step and the screenshot, unless it is busy (loading playwright-core): then
        // the run reports without them, in time for the runner
        w.postMessage({ kind: 'abort', id, name: r.name, message: r.message } satisfies ToWorker);
        late = setTimeout(() => {
          this.settle(id, { kind: 'done', id, outcome: { fail: true, log: [detailLine(hostOf(job.url), r)] } });
        }, ABORT_ANSWER_MS);
      };
      this.pending.set(id, (m) => {
        signal.removeEventListener('abort', onAbort);
        clearTimeout(late);
        resolve(m.kind === 'done' ? m.outcome : { fail: true, log: ['internal error: unexpected reply from the browser worker'] });
      });
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      this.ref();
      w.postMessage({ kind: 'run', id, job } satisfies ToWorker);
    });
  }

  /** The pool's numbers, from the worker (null when no worker runs). */
  stats(): Promise<PoolStats | null> {
    if (!this.worker) return Promise.resolve(null);
    const id = this.next++;
    return new Promise((resolve) => {
      this.pending.set(id, (m) => resolve(m.kind === 'stats' ? m.stats : null));
      this.ref();
      this.worker!.postMessage({ kind: 'stats', id } satisfies ToWorker);
    });
  }

  /** Ends the worker (and with it Chromium). */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const w = spawnWorker();
    this.started++;
    w.unref();
    w.on('message', (m: FromWorker) => {
      if (m.kind === 'idle') {
        if (this.pending.size === 0 && this.worker === w) void this.close();
        return;
      }
      this.settle(m.id, m);
    });
    const fail = (why: string): void => {
      if (this.worker === w) this.worker = null;
      for (const [id, p] of this.pending) p({ kind: 'done', id, outcome: { fail: true, log: [`browser worker ${why}`] } });
      this.pending.clear();
    };
    w.on('error', (e) => fail(`failed: ${e.message}`));
    w.on('exit', (code) => fail(`exited (${code})`));
    this.worker = w;
    return w;
  }

  /** Hands a reply to its waiting run (once: a late answer after an abort is dropped). */
  private settle(id: number, m: FromWorker): void {
    const p = this.pending.get(id);
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker?.unref();
    p?.(m);
  }

  private ref(): void {
    this.worker?.ref();
  }
}

/** The process's one browser worker. */
export const browserClient = new BrowserClient();
