/**
 * The remote-write service (docs/metrics.md): idle without a `remoteWrite`
 * key; with one, it pushes what /metrics shows (every check's state, fail
 * count, run times and reported metrics, the runner and the outbox) every
 * `interval`. The snapshot comes from the same SiteMetrics as /metrics (one
 * definition of each series), loaded late so a site without the key does
 * not carry prom-client. In an HA zone each node exports the checks it runs
 * (and its local ones): a check's series come from its owner only.
 */
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { SiteService } from '../../site-service.ts';
import type { SiteSettings } from '../../config/load.ts';
import type { Clock } from '../../engine/clock.ts';
import type { ZoneHook } from '../../zone/hook.ts';
import type { MetricsSite, SiteMetrics } from '../../api/metrics.ts';
import type { RemoteWriteStats } from '../../api/providers.ts';
import type { Sample } from './encode.ts';
import type { RemoteWriter } from './writer.ts';

/**
 * What the export uses of the site: the metrics' part, its settings, clock,
 * log and zone (src/wiring-views.ts builds it; `settings` and `zone` are
 * read through getters).
 */
export interface RemoteWriteSite extends MetricsSite {
  readonly settings: SiteSettings;
  readonly log: Logger;
  readonly clock: Clock;
  /** the HA zone's hook: null while this node is in no zone */
  readonly zone: ZoneHook | null;
}

export class RemoteWriteService implements SiteService {
  readonly name = 'remote-write';
  private writer: RemoteWriter | null = null;
  private metrics: SiteMetrics | null = null;

  /** Counters for /metrics (zero while idle). */
  readonly stats: RemoteWriteStats = {
    queued: () => this.writer?.counters.queued ?? 0,
    sent: () => this.writer?.counters.sent ?? 0,
    dropped: (reason) => (reason === 'queue_full' ? (this.writer?.counters.droppedQueueFull ?? 0) : (this.writer?.counters.droppedRejected ?? 0)),
    failures: () => this.writer?.counters.failures ?? 0,
    lastSuccess: () => this.writer?.counters.lastSuccess ?? 0,
    problem: () => this.writer?.problem ?? null,
  };

  constructor(private readonly site: RemoteWriteSite) {}

  async start(): Promise<void> {
    const site = this.site;
    if (!site.settings.remoteWrite) return; // takes effect at the next start when added later (docs/metrics.md)
    // loaded here, not at start: prom-client, protobufjs and snappyjs only for a site that exports (issue 20)
    const [{ SiteMetrics: Metrics }, { RemoteWriter: Writer }] = await Promise.all([import('../../api/metrics.ts'), import('./writer.ts')]);
    const metrics = (this.metrics = new Metrics(site));
    const log = site.log.child({ service: 'remote-write' });
    this.writer = new Writer({
      config: () => site.settings.remoteWrite,
      base: site.settings.base ?? undefined,
      clock: site.clock,
      log,
      instance: () => site.zone?.node ?? hostname().split('.')[0],
      snapshot: async (now) => {
        const zone = site.zone;
        const mine = (check: string | undefined): boolean => {
          if (!zone || check === undefined) return true;
          const o = zone.owner(check);
          return o === null || o === '*' || o === zone.node;
        };
        const out: Sample[] = [];
        for (const m of await metrics.snapshot()) {
          for (const v of m.values) {
            const labels = v.labels as Record<string, string | number>;
            if (!mine(labels.check === undefined ? undefined : String(labels.check))) continue;
            if (!Number.isFinite(v.value)) continue;
            const flat: Record<string, string> = { __name__: v.metricName ?? m.name };
            for (const [k, x] of Object.entries(labels)) flat[k] = String(x);
            out.push({ labels: flat, value: v.value, t: now });
          }
        }
        return out;
      },
    });
    this.writer.start();
    log.info({ url: new URL(site.settings.remoteWrite.url).origin }, 'remote-write: exporting');
  }

  async stop(): Promise<void> {
    this.writer?.stop();
    this.metrics?.close();
    this.writer = null;
    this.metrics = null;
  }
}
