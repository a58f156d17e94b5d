/**
 * /metrics parsed by a Prometheus text-format parser: per-check state, fail
 * count, last run time and duration, every numeric metric (labelled by check
 * and metric), remote checks, the optional outbox and MQTT providers,
 * scheduler lateness, and the optional token.
 */
import { describe, it, expect, afterEach } from 'vitest';
import parse, { type MetricFamily } from 'parse-prometheus-text-format';
import { openApiSite, type ApiTestSite } from './helpers.ts';

const family = (fs: MetricFamily[], name: string): MetricFamily => {
  const f = fs.find((x) => x.name === name);
  if (!f) throw new Error(`no ${name} in ${fs.map((x) => x.name).join(', ')}`);
  return f;
};
const sample = (fs: MetricFamily[], name: string, labels: Record<string, string>): number | undefined => {
  const m = family(fs, name).metrics.find((x) => Object.entries(labels).every(([k, v]) => x.labels?.[k] === v));
  return m?.value === undefined ? undefined : Number(m.value);
};

const WEIRD = 'odd "name"\\ with\nnewline';

describe('/metrics', () => {
  let t: ApiTestSite;
  afterEach(() => t.close());

  const scrape = async (headers: Record<string, string> = {}): Promise<MetricFamily[]> => {
    const r = await t.app.request('/metrics', { headers });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parse(await r.text());
  };

  it("exports each check's state, counters, times, duration and reported metrics", async () => {
    t = await openApiSite({
      checks: {
        root: { type: 'disk', options: { volume: '/', level: 100 } },
        [WEIRD]: { type: 'disk', options: { volume: '/', level: 0 } },
        idle: { type: 'memory', paused: true },
        peer: { type: 'remote', subType: 'smtp' },
      },
    });
    await t.site.runNow('root');
    await t.site.runNow(WEIRD);
    await t.site.runNow(WEIRD);
    t.site.applyRemote('peer', {
      failState: true,
      failCount: 4,
      threshold: 2,
      log: ['down'],
      softFail: null,
      level: null,
      lastCheck: t.clock.now() - 5000,
      lastFail: null,
      lastPass: null,
    });
    const fs = await scrape();
    expect(family(fs, 'siteward_check_up').type).toBe('GAUGE');
    expect(sample(fs, 'siteward_check_up', { check: 'root', type: 'disk' })).toBe(1);
    expect(sample(fs, 'siteward_check_up', { check: WEIRD })).toBe(0);
    expect(sample(fs, 'siteward_check_up', { check: 'peer', type: 'remote.smtp' })).toBe(0);
    expect(sample(fs, 'siteward_check_paused', { check: 'idle' })).toBe(1);
    expect(sample(fs, 'siteward_check_fail_count', { check: WEIRD })).toBe(2);
    expect(sample(fs, 'siteward_check_fail_count', { check: 'peer' })).toBe(4);
    expect(sample(fs, 'siteward_check_last_run_timestamp_seconds', { check: 'root' })).toBe(t.clock.now() / 1000);
    expect(sample(fs, 'siteward_check_last_run_timestamp_seconds', { check: 'peer' })).toBe((t.clock.now() - 5000) / 1000);
    expect(sample(fs, 'siteward_check_last_run_timestamp_seconds', { check: 'idle' })).toBeUndefined();
    expect(sample(fs, 'siteward_check_last_run_duration_seconds', { check: 'root' })).toBeGreaterThanOrEqual(0);
    const used = t.site.state('root').metrics.find((m) => m.name === 'used_percent')!;
    expect(sample(fs, 'siteward_check_metric', { check: 'root', metric: 'used_percent', unit: '%' })).toBe(used.value);
    expect(family(fs, 'siteward_check_metric').metrics.filter((m) => m.labels?.check === 'root')).toHaveLength(4);
    expect(sample(fs, 'siteward_checks', { state: 'FAIL' })).toBe(2);
    expect(sample(fs, 'siteward_checks', { state: 'PAUSED' })).toBe(1);
    // no providers: no outbox or MQTT series
    expect(fs.some((f) => f.name.startsWith('siteward_outbox') || f.name.startsWith('siteward_mqtt'))).toBe(false);
  });

  it('drops a deleted check at the next scrape', async () => {
    t = await openApiSite({ checks: { a: { type: 'cpu' }, b: { type: 'cpu' } } });
    expect(family(await scrape(), 'siteward_check_up').metrics).toHaveLength(2);
    await t.call('DELETE', '/api/v1/checks/a');
    const up = family(await scrape(), 'siteward_check_up').metrics;
    expect(up.map((m) => m.labels?.check)).toEqual(['b']);
  });

  it('exports outbox and MQTT figures from their providers', async () => {
    let received = 10;
    t = await openApiSite(
      {},
      {
        deps: {
          outbox: { pending: () => 3, failed: () => 1 },
          federation: { connected: () => true, received: () => received, rejected: () => 2 },
        },
      },
    );
    let fs = await scrape();
    expect(sample(fs, 'siteward_outbox_pending', {})).toBe(3);
    expect(sample(fs, 'siteward_outbox_failed', {})).toBe(1);
    expect(sample(fs, 'siteward_mqtt_connected', {})).toBe(1);
    expect(family(fs, 'siteward_mqtt_messages_received_total').type).toBe('COUNTER');
    expect(sample(fs, 'siteward_mqtt_messages_received_total', {})).toBe(10);
    received = 15;
    fs = await scrape();
    expect(sample(fs, 'siteward_mqtt_messages_received_total', {})).toBe(15);
    expect(sample(fs, 'siteward_mqtt_messages_rejected_total', {})).toBe(2);
  });

  it('observes scheduler lateness of scheduled runs', async () => {
    t = await openApiSite({ checks: { a: { type: 'disk', trigger: { interval: { seconds: 30 } } } } });
    await t.site.start();
    await t.clock.advance(91_000);
    const h = family(await scrape(), 'siteward_scheduler_lateness_seconds');
    expect(h.type).toBe('HISTOGRAM');
    expect(Number(h.metrics[0].count)).toBe(4);
    // on a fake clock the runs start exactly on time
    expect(Number(h.metrics[0].buckets!['0.005'])).toBe(4);
  });

  it('requires a token when api.metricsAuth is set', async () => {
    t = await openApiSite({ api: { metricsAuth: true } });
    const anon = await t.app.request('/metrics');
    expect(anon.status).toBe(401);
    expect(((await anon.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    expect(family(await scrape({ authorization: `Bearer ${t.token.read}` }), 'siteward_info').metrics).toHaveLength(1);
  });
});
