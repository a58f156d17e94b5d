/**
 * The remote-write sender (docs/metrics.md): every `interval` a snapshot of
 * the metrics goes into a bounded queue; a send loop posts batches of at
 * most `batch` samples in order. Durable enough, never in the engine's way:
 * - a failed batch (network error, timeout, HTTP 5xx or 429) is retried with
 *   exponential backoff (1 s doubling to 60 s) and stays at the head, so
 *   samples arrive in time order (the spec: retry 5xx and 429, never 4xx);
 * - a batch the receiver refuses (another 4xx: bad data, out of order) is
 *   dropped and counted: sending it again would fail again;
 * - beyond `queue` samples the oldest are dropped and counted;
 * - drops are logged (once per snapshot, with the counts) and shown in
 *   /metrics; nothing here waits on the engine or makes it wait: the engine
 *   is only read, at snapshot time.
 * The queue is in memory: samples not yet sent when the process stops are lost.
 */
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../engine/clock.ts';
import { resolveSecret } from '../../util/secret.ts';
import type { RemoteWriteConfig } from './config.ts';
import { encodeWriteRequest, REMOTE_WRITE_HEADERS, type Sample } from './encode.ts';

/** What the sender needs of the site (handed in by service.ts). */
export interface RemoteWriteHost {
  /** the current `remoteWrite` settings (read at each snapshot: edits apply then); null = off */
  config(): RemoteWriteConfig | null;
  /** the site folder, for `{"file": …}` secrets */
  base?: string;
  clock: Clock;
  log: Logger;
  /** the samples of this moment, without the job/instance labels */
  snapshot(now: number): Promise<Sample[]>;
  /** the `instance` label (the node's name) */
  instance(): string;
  /** the HTTP client (tests give none: global fetch) */
  fetch?: typeof fetch;
}

/** Counters for /metrics (src/api/providers.ts RemoteWriteStats). */
export interface RemoteWriteCounters {
  queued: number;
  sent: number;
  /** dropped because the queue was full */
  droppedQueueFull: number;
  /** dropped because the receiver refused them (4xx) */
  droppedRejected: number;
  /** failed attempts (each retried) */
  failures: number;
  /** ms of the last batch the receiver accepted, 0 before */
  lastSuccess: number;
}

export const MIN_BACKOFF_MS = 1000;
export const MAX_BACKOFF_MS = 60_000;
const MAX_ERROR_TEXT = 200;

export class RemoteWriter {
  private queue: Sample[] = [];
  private inflight: Sample[] | null = null;
  private sending = false;
  private backoff = 0;
  private retryTimer: TimerHandle | null = null;
  private tickTimer: TimerHandle | null = null;
  private abort: AbortController | null = null;
  private stopped = false;
  private loggedDrops = 0;
  /** while requests fail: since when and the last error (/healthz) */
  problem: { since: number; error: string } | null = null;
  readonly counters: RemoteWriteCounters = { queued: 0, sent: 0, droppedQueueFull: 0, droppedRejected: 0, failures: 0, lastSuccess: 0 };

  constructor(private readonly host: RemoteWriteHost) {}

  /** Starts the snapshots (the first one interval after start). */
  start(): void {
    this.stopped = false;
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    this.tickTimer?.cancel();
    this.retryTimer?.cancel();
    this.abort?.abort();
    this.tickTimer = this.retryTimer = null;
  }

  private arm(): void {
    if (this.stopped) return;
    const cfg = this.host.config();
    // off: look again in 15 s whether an edit turned it on
    this.tickTimer = this.host.clock.setTimer(() => void this.tick(), (cfg?.interval ?? 15) * 1000);
  }

  /** One snapshot into the queue, then the send loop. Exported for tests (fake clock). */
  async tick(): Promise<void> {
    const cfg = this.host.config();
    try {
      if (!cfg) {
        this.queue = [];
        this.counters.queued = 0;
        return;
      }
      const now = this.host.clock.now();
      const extra = { job: 'siteward', instance: this.host.instance(), ...cfg.labels };
      const samples = (await this.host.snapshot(now)).map((s) => ({ ...s, labels: { ...extra, ...s.labels } }));
      this.enqueue(samples, cfg.queue);
      this.logDrops();
      void this.pump();
    } catch (e) {
      this.host.log.warn({ err: (e as Error).message }, 'remote-write: snapshot failed');
    } finally {
      this.arm();
    }
  }

  private enqueue(samples: Sample[], cap: number): void {
    this.queue.push(...samples);
    const waiting = this.queue.length + (this.inflight?.length ?? 0);
    const over = Math.min(this.queue.length, waiting - cap);
    if (over > 0) {
      this.queue.splice(0, over);
      this.counters.droppedQueueFull += over;
    }
    this.counters.queued = this.queue.length + (this.inflight?.length ?? 0);
  }

  private logDrops(): void {
    const dropped = this.counters.droppedQueueFull + this.counters.droppedRejected;
    if (dropped === this.loggedDrops) return;
    this.host.log.warn(
      { queueFull: this.counters.droppedQueueFull, rejected: this.counters.droppedRejected, queued: this.counters.queued },
      `remote-write: ${dropped - this.loggedDrops} samples dropped since the last report`,
    );
    this.loggedDrops = dropped;
  }

  /** Sends batches until the queue is empty or a batch fails (then a retry is timed). */
  private async pump(): Promise<void> {
    if (this.sending || this.retryTimer || this.stopped) return;
    this.sending = true;
    try {
      for (;;) {
        const cfg = this.host.config();
        if (!cfg || this.stopped) return;
        if (!this.inflight) {
          if (this.queue.length === 0) return;
          this.inflight = this.queue.splice(0, cfg.batch);
        }
        const result = await this.post(cfg, this.inflight);
        if (this.stopped) return;
        if (result === 'ok' || result === 'rejected') {
          if (result === 'ok') {
            this.counters.sent += this.inflight.length;
            this.counters.lastSuccess = this.host.clock.now();
            if (this.problem) this.host.log.info({ failures: this.counters.failures }, 'remote-write: the receiver accepts samples again');
            this.problem = null;
          } else this.counters.droppedRejected += this.inflight.length;
          this.inflight = null;
          this.backoff = 0;
          this.counters.queued = this.queue.length;
          continue;
        }
        this.counters.failures++;
        this.backoff = Math.min(MAX_BACKOFF_MS, Math.max(MIN_BACKOFF_MS, this.backoff * 2));
        if (!this.problem) this.host.log.warn({ err: result.error, retryInMs: this.backoff }, 'remote-write: the receiver cannot be reached; retrying');
        this.problem = { since: this.problem?.since ?? this.host.clock.now(), error: result.error };
        this.retryTimer = this.host.clock.setTimer(() => {
          this.retryTimer = null;
          void this.pump();
        }, this.backoff);
        return;
      }
    } finally {
      this.sending = false;
    }
  }

  private async post(cfg: RemoteWriteConfig, batch: Sample[]): Promise<'ok' | 'rejected' | { error: string }> {
    let body: Buffer;
    const headers: Record<string, string> = {};
    try {
      body = encodeWriteRequest(batch);
      for (const [k, v] of Object.entries(cfg.headers)) headers[k] = await resolveSecret(v, this.host.base);
      if (cfg.basicAuth) {
        const pass = await resolveSecret(cfg.basicAuth.password, this.host.base);
        headers.Authorization = `Basic ${Buffer.from(`${cfg.basicAuth.username}:${pass}`).toString('base64')}`;
      }
    } catch (e) {
      // a secret that cannot be read: retried (it may appear), said loudly
      return { error: (e as Error).message };
    }
    this.abort = new AbortController();
    const timer = setTimeout(() => this.abort?.abort(), cfg.timeout * 1000);
    try {
      const res = await (this.host.fetch ?? fetch)(cfg.url, {
        method: 'POST',
        headers: { ...headers, ...REMOTE_WRITE_HEADERS },
        body,
        signal: this.abort.signal,
        redirect: 'error',
      });
      const text = res.ok ? '' : (await res.text().catch(() => '')).slice(0, MAX_ERROR_TEXT);
      if (res.ok) return 'ok';
      if (res.status === 429 || res.status >= 500) return { error: `HTTP ${res.status} ${text}`.trim() };
      this.host.log.warn({ status: res.status, samples: batch.length, answer: text }, 'remote-write: the receiver refused a batch; dropped');
      this.problem = { since: this.problem?.since ?? this.host.clock.now(), error: `HTTP ${res.status} ${text}`.trim() };
      return 'rejected';
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      return { error: err.cause?.code ?? err.cause?.message ?? err.message };
    } finally {
      clearTimeout(timer);
      this.abort = null;
    }
  }
}
