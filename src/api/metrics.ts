/**
 * Prometheus `/metrics` (prom-client, its own registry). Everything is read
 * at scrape time from in-memory state (the site's check states, the runner,
 * the providers), so a scrape costs one pass over the checks and nothing is
 * updated on the hot path except two small bus listeners: last run
 * durations and scheduler lateness.
 */
import type { ZoneTrust } from '../zone/guard.ts';
import { REJECT_REASONS } from '../zone/guard.ts';
import { Counter, Gauge, Histogram, Registry, type MetricObjectWithValues, type MetricValueWithName } from 'prom-client';
import type { ApiSite } from './api-site.ts';
import { isFailing } from '../engine/state.ts';
import { VERSION } from '../version.ts';
import type { FederationStats, OutboxStats, RemoteWriteStats } from './providers.ts';

export interface MetricsProviders {
  outbox?: OutboxStats;
  federation?: FederationStats;
  remoteWrite?: RemoteWriteStats;
  /** the zone's message authentication (src/zone/guard.ts); null while the site is in no zone */
  zone?: () => ZoneTrust | null;
}

const seconds = (ms: number | null): number | null => (ms === null ? null : ms / 1000);

/** What /metrics reads of the site (passed in; not the whole Site). */
export type MetricsSite = Pick<ApiSite, 'bus' | 'loaded' | 'name' | 'runner' | 'runtime' | 'scheduler' | 'state' | 'storage'>;

export class SiteMetrics {
  readonly registry = new Registry();
  /** last run duration per check (ms), since start */
  private readonly durations = new Map<string, number>();
  private readonly g: Record<
    | 'info'
    | 'checks'
    | 'up'
    | 'paused'
    | 'failCount'
    | 'lastRun'
    | 'lastPass'
    | 'lastFail'
    | 'duration'
    | 'metric'
    | 'running'
    | 'waiting'
    | 'scheduled'
    | 'storing'
    | 'unstored',
    Gauge
  >;
  private readonly lateness: Histogram;
  private readonly providerFill: (() => void)[] = [];
  private readonly unsubscribe: () => void;

  constructor(
    private readonly site: MetricsSite,
    providers: MetricsProviders = {},
  ) {
    const r = [this.registry];
    const gauge = (name: string, help: string, labelNames: string[] = []): Gauge => new Gauge({ name, help, labelNames, registers: r });
    this.g = {
      info: gauge('siteward_info', 'siteward version and site name (always 1)', ['version', 'site']),
      checks: gauge('siteward_checks', 'number of checks by reported state', ['state']),
      up: gauge('siteward_check_up', '1 when the check reports PASS (or is paused), 0 when it reports FAIL', ['check', 'type']),
      paused: gauge('siteward_check_paused', '1 when the check is paused', ['check']),
      failCount: gauge('siteward_check_fail_count', 'consecutive failing runs', ['check']),
      lastRun: gauge('siteward_check_last_run_timestamp_seconds', 'when the check last ran (remote: last checked by its owner)', ['check']),
      lastPass: gauge('siteward_check_last_pass_timestamp_seconds', 'when the check last changed to PASS', ['check']),
      lastFail: gauge('siteward_check_last_fail_timestamp_seconds', 'when the check last changed to FAIL', ['check']),
      duration: gauge('siteward_check_last_run_duration_seconds', 'how long the last run took (runs since this process started)', ['check']),
      metric: gauge('siteward_check_metric', 'each numeric metric the check reported on its last run', ['check', 'metric', 'unit']),
      running: gauge('siteward_runner_running', 'checks running now'),
      waiting: gauge('siteward_runner_waiting', 'runs waiting for a free slot (scheduler.concurrency)'),
      scheduled: gauge('siteward_scheduler_checks', 'checks with a schedule'),
      storing: gauge('siteward_storage_ok', '1 while siteward stores what it must; 0 when the database refuses writes (a full disk: see /healthz)'),
      unstored: gauge('siteward_results_unstored', 'check results kept in memory because the database refused them'),
    };
    this.lateness = new Histogram({
      name: 'siteward_scheduler_lateness_seconds',
      help: 'how late scheduled runs started after their planned (jittered) time, waiting for a slot included',
      buckets: [0.005, 0.05, 0.25, 1, 5, 15, 60, 300],
      registers: r,
    });
    if (providers.outbox) {
      const o = providers.outbox;
      const pending = gauge('siteward_outbox_pending', 'notifications waiting to be delivered');
      const failed = gauge('siteward_outbox_failed', 'notifications that could not be delivered');
      this.providerFill.push(() => {
        pending.set(o.pending());
        failed.set(o.failed());
      });
    }
    if (providers.federation) {
      const f = providers.federation;
      const connected = gauge('siteward_mqtt_connected', '1 while connected to the MQTT broker');
      const received = new Counter({ name: 'siteward_mqtt_messages_received_total', help: 'MQTT messages received for remote checks', registers: r });
      const rejected = new Counter({ name: 'siteward_mqtt_messages_rejected_total', help: 'received MQTT messages that were rejected', registers: r });
      this.providerFill.push(() => {
        connected.set(f.connected() ? 1 : 0);
        // counters are read from the provider: reset and set to its running total
        received.reset();
        received.inc(f.received());
        rejected.reset();
        rejected.inc(f.rejected());
      });
    }
    if (providers.remoteWrite) this.providerFill.push(remoteWriteMetrics(providers.remoteWrite, r));
    if (providers.zone) this.providerFill.push(zoneTrustMetrics(providers.zone, r));
    const onRun = (e: { name: string; durationMs: number | null }): void => {
      if (e.durationMs !== null) this.durations.set(e.name, e.durationMs);
    };
    const onLate = (e: { ms: number }): void => this.lateness.observe(Math.max(0, e.ms) / 1000);
    const onConfig = (e: { removed: string[]; renamed: [string, string][] }): void => {
      for (const n of e.removed) this.durations.delete(n);
      for (const [from] of e.renamed) this.durations.delete(from);
    };
    site.bus.on('run', onRun);
    site.bus.on('lateness', onLate);
    site.bus.on('config', onConfig);
    this.unsubscribe = () => {
      site.bus.off('run', onRun);
      site.bus.off('lateness', onLate);
      site.bus.off('config', onConfig);
    };
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text: fills every gauge from the current state, then renders. */
  async text(): Promise<string> {
    this.fill();
    return this.registry.metrics();
  }

  /** The same values as text(), as data (the remote-write export). */
  async snapshot(): Promise<MetricObjectWithValues<MetricValueWithName<string>>[]> {
    this.fill();
    return this.registry.getMetricsAsJSON();
  }

  close(): void {
    this.unsubscribe();
  }

  private fill(): void {
    const { site, g } = this;
    for (const x of Object.values(g)) x.reset();
    g.info.set({ version: VERSION, site: site.name }, 1);
    const counts = { PASS: 0, FAIL: 0, PAUSED: 0 };
    const opt = (x: Gauge, labels: Record<string, string>, v: number | null): void => {
      if (v !== null) x.set(labels, v);
    };
    for (const [name, e] of site.loaded.checks) {
      const s = site.state(name);
      const paused = e.config.paused;
      const failing = !paused && isFailing(s.failState);
      counts[paused ? 'PAUSED' : failing ? 'FAIL' : 'PASS']++;
      const check = { check: name };
      g.up.set({ check: name, type: site.runtime.displayType(e) }, failing ? 0 : 1);
      g.paused.set(check, paused ? 1 : 0);
      g.failCount.set(check, s.failCount);
      opt(g.lastRun, check, seconds(s.lastCheck));
      opt(g.lastPass, check, seconds(s.lastPass));
      opt(g.lastFail, check, seconds(s.lastFail));
      opt(g.duration, check, seconds(this.durations.get(name) ?? null));
      for (const m of s.metrics) {
        if (Number.isFinite(m.value)) g.metric.set({ check: name, metric: m.name, unit: m.unit ?? '' }, m.value);
      }
    }
    for (const [state, n] of Object.entries(counts)) g.checks.set({ state }, n);
    const load = site.runner.load;
    g.running.set(load.running);
    g.waiting.set(load.waiting);
    g.scheduled.set(site.scheduler.size());
    g.storing.set(site.storage.problem ? 0 : 1);
    g.unstored.set(site.runtime.unstoredCount);
    for (const f of this.providerFill) f();
  }
}

/** The remote-write export's own health (docs/metrics.md): read from its counters at scrape time. */
function remoteWriteMetrics(w: RemoteWriteStats, r: Registry[]): () => void {
  const counter = (name: string, help: string, labelNames: string[] = []): Counter => new Counter({ name, help, labelNames, registers: r });
  const queued = new Gauge({ name: 'siteward_remote_write_queued_samples', help: 'samples waiting to be sent by remote-write', registers: r });
  const last = new Gauge({ name: 'siteward_remote_write_last_success_timestamp_seconds', help: 'when the receiver last accepted a batch', registers: r });
  const sent = counter('siteward_remote_write_sent_samples_total', 'samples the remote-write receiver accepted');
  const dropped = counter('siteward_remote_write_dropped_samples_total', 'samples dropped: the queue was full, or the receiver refused them', ['reason']);
  const failures = counter('siteward_remote_write_failed_requests_total', 'remote-write requests that failed and were retried');
  return () => {
    queued.set(w.queued());
    const t = w.lastSuccess();
    if (t > 0) last.set(t / 1000);
    sent.reset();
    sent.inc(w.sent());
    dropped.reset();
    for (const reason of ['queue_full', 'rejected'] as const) dropped.inc({ reason }, w.dropped(reason));
    failures.reset();
    failures.inc(w.failures());
  };
}

/** The zone's message authentication (docs/ha.md "Trust"): exported only while the site is in a zone. */
function zoneTrustMetrics(trust: () => ZoneTrust | null, r: Registry[]): () => void {
  const keyed = new Gauge({
    name: 'siteward_zone_authenticated',
    help: '1 when the zone messages are authenticated with a zone key, 0 without one',
    registers: r,
  });
  const only = new Gauge({ name: 'siteward_zone_only_rejected', help: '1 while this node hears only rejected zone messages', registers: r });
  const accepted = new Counter({
    name: 'siteward_zone_messages_verified_total',
    help: 'zone messages from other nodes that passed verification',
    registers: r,
  });
  const rejected = new Counter({
    name: 'siteward_zone_messages_rejected_total',
    help: 'zone messages dropped: unsigned, wrong key, failed verification, replayed',
    labelNames: ['reason'],
    registers: r,
  });
  return () => {
    const t = trust();
    for (const m of [keyed, only, accepted, rejected]) m.reset();
    if (!t) return;
    keyed.set(t.authenticated ? 1 : 0);
    only.set(t.onlyRejected ? 1 : 0);
    accepted.inc(t.verified);
    for (const why of REJECT_REASONS) rejected.inc({ reason: why.replace(' ', '_') }, t.rejected[why]);
  };
}
