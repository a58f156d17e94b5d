/**
 * Prometheus remote-write export (issue 23 "Metrics out", docs/metrics.md)
 * against a real Prometheus (Debian `prometheus`) with its remote-write
 * receiver on: check results arrive as series with the configured labels;
 * samples taken while the receiver was down arrive once it is up (retried
 * with backoff); a bounded queue drops the oldest and says so in /metrics
 * and the log; a batch the receiver refuses is dropped and counted; a
 * receiver that never answers does not hold up the checks.
 */
import { createServer as createTcp, type Server as TcpServer } from 'node:net';
import { createServer as createHttp, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDaemon, freePort, HOST } from '../servers/common.ts';
import { PROMETHEUS, startPrometheus, type Prometheus } from '../servers/prometheus.ts';
import { captureLogger, openSite, until, type TestSite } from '../federation/helpers.ts';
import { RemoteWriteService } from '../../src/export/remote-write/service.ts';
import { SiteMetrics } from '../../src/api/metrics.ts';
import { apiRoutes, createApiContext } from '../../src/api/app.ts';
import { API_MIGRATIONS } from '../../src/api/tokens.ts';
import { migrate } from '../../src/store/db.ts';
import { decodeWriteRequest, type Sample } from '../../src/export/remote-write/encode.ts';
import { apiSiteView } from '../../src/wiring.ts';
import { remoteWriteSiteView } from '../../src/wiring-views.ts';

/** a real HTTP server answering every request with `status` (and keeping the decoded bodies), or never (`null`) */
async function fixedReceiver(
  status: number | null,
): Promise<{ url: string; bodies: Sample[][]; headers: IncomingMessage['headers'][]; close(): Promise<void> }> {
  const bodies: Sample[][] = [];
  const headers: IncomingMessage['headers'][] = [];
  const srv: HttpServer = createHttp((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      headers.push(req.headers);
      bodies.push(decodeWriteRequest(Buffer.concat(chunks)));
      if (status !== null) res.writeHead(status).end('out of order sample');
    });
  });
  await new Promise<void>((r) => srv.listen(0, HOST, () => r()));
  const port = (srv.address() as { port: number }).port;
  return {
    url: `http://${HOST}:${port}/api/v1/write`,
    bodies,
    headers,
    close: () =>
      new Promise<void>((r) => {
        srv.closeAllConnections();
        srv.close(() => r());
      }),
  };
}

describeDaemon('remote-write export to a real Prometheus', [PROMETHEUS], () => {
  let prom: Prometheus;
  let tcp: TcpServer;
  let tcpPort: number;
  let closedPort: number;
  const sites: TestSite[] = [];

  const checks = (): Record<string, unknown> => ({
    'web up': { type: 'tcp', trigger: { interval: { seconds: 1 } }, options: { hostname: HOST, port: tcpPort, timeout: 2 } },
    'web down': { type: 'tcp', trigger: { interval: { seconds: 1 } }, options: { hostname: HOST, port: closedPort, timeout: 2 } },
  });
  const open = async (
    remoteWrite: Record<string, unknown>,
    log = captureLogger(),
  ): Promise<{ t: TestSite; rw: RemoteWriteService; lines: Record<string, unknown>[] }> => {
    const t = await openSite({ checks: checks(), remoteWrite }, { start: false, log: log.log });
    const rw = new RemoteWriteService(remoteWriteSiteView(t.site));
    t.site.use(rw);
    await t.site.start();
    sites.push(t);
    return { t, rw, lines: log.lines };
  };

  beforeAll(async () => {
    tcp = createTcp((s) => s.end());
    await new Promise<void>((r) => tcp.listen(0, HOST, () => r()));
    tcpPort = (tcp.address() as { port: number }).port;
    closedPort = await freePort();
    prom = await startPrometheus();
  }, 120_000);

  afterAll(async () => {
    for (const s of sites) await s.stop();
    await prom?.stop();
    if (tcp) await new Promise((r) => tcp.close(r)); // (a bare tcp?.close(r) never resolves when beforeAll failed before tcp existed)
  }, 60_000);

  it('check results arrive as series with the configured labels; header secrets come from the environment', async () => {
    process.env.SW_RW_TEST_TOKEN = 'tok-123';
    const { rw } = await open({ url: prom.writeUrl, interval: 1, labels: { env: 'test1' }, headers: { 'X-Token': { env: 'SW_RW_TEST_TOKEN' } } });
    let up: Awaited<ReturnType<Prometheus['query']>> = [];
    await until(
      async () => {
        up = await prom.query('siteward_check_up{env="test1"}');
        return up.length === 2 && up.every((s) => s.value[1] === (s.metric.check === 'web up' ? '1' : '0'));
      },
      60_000,
      'both checks in Prometheus with their state',
    );
    for (const s of up) {
      expect(s.metric).toMatchObject({ job: 'siteward', type: 'tcp', env: 'test1' });
      expect(s.metric.instance).toBeTruthy();
    }
    // the run's timing and the failing check's fail count come along
    await until(async () => (await prom.query('siteward_check_fail_count{env="test1",check="web down"} > 0')).length === 1, 30_000, 'the fail count');
    expect(rw.stats.sent()).toBeGreaterThan(0);
    expect(rw.stats.dropped('queue_full') + rw.stats.dropped('rejected')).toBe(0);
  }, 120_000);

  it('samples taken while the receiver is down are retried with backoff and arrive when it comes up', async () => {
    const port = await freePort();
    const { t, rw, lines } = await open({ url: `http://${HOST}:${port}/api/v1/write`, interval: 1, labels: { env: 'test2' } });
    await until(() => rw.stats.failures() >= 1, 30_000, 'a failed attempt');
    const downSince = Date.now();
    expect(lines.some((l) => l.msg === 'remote-write: the receiver cannot be reached; retrying')).toBe(true);
    // a second Prometheus on the port that refused so far
    const late = await startPrometheus(port);
    try {
      await until(() => rw.stats.sent() > 0 && rw.stats.queued() < 100, 90_000, 'the queue drained');
      expect(rw.stats.problem()).toBeNull();
      // a sample from the outage arrived: the first one of the series is older than the receiver
      const first = await late.query('min_over_time(timestamp(siteward_check_up{env="test2",check="web up"})[10m:1s])');
      expect(first).toHaveLength(1);
      expect(Number(first[0].value[1]) * 1000).toBeLessThan(downSince);
      expect(lines.some((l) => l.msg === 'remote-write: the receiver accepts samples again')).toBe(true);
      expect(rw.stats.dropped('queue_full')).toBe(0);
    } finally {
      await t.stop();
      await late.stop();
    }
  }, 180_000);

  it('a full queue drops the oldest samples, counted in /metrics and logged', async () => {
    const port = await freePort(); // nothing listens there
    const { t, rw, lines } = await open({ url: `http://${HOST}:${port}/api/v1/write`, interval: 1, queue: 100 });
    await until(() => rw.stats.dropped('queue_full') > 0, 60_000, 'drops');
    expect(rw.stats.queued()).toBeLessThanOrEqual(100);
    const text = await new SiteMetrics(t.site, { remoteWrite: rw.stats }).text();
    const m = /siteward_remote_write_dropped_samples_total\{reason="queue_full"\} (\d+)/.exec(text);
    expect(Number(m?.[1])).toBeGreaterThan(0);
    expect(text).toMatch(/siteward_remote_write_failed_requests_total [1-9]/);
    expect(lines.some((l) => typeof l.msg === 'string' && /samples dropped since the last report/.test(l.msg) && Number(l.queueFull) > 0)).toBe(true);
    // /healthz names the trouble but stays 200: the checks and alerts still work
    migrate(t.site.db, [API_MIGRATIONS]);
    const res = await apiRoutes(createApiContext(apiSiteView(t.site), { remoteWrite: rw.stats })).request('/healthz');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; remoteWrite?: { error: string; since: string; queued: number } };
    expect(body.status).toBe('ok');
    expect(body.remoteWrite?.error).toMatch(/ECONNREFUSED/);
    expect(body.remoteWrite?.queued).toBeLessThanOrEqual(100);
    await t.stop();
  }, 120_000);

  it('a batch the receiver refuses (HTTP 400) is dropped and counted, not retried; basic auth is sent', async () => {
    const r = await fixedReceiver(400);
    try {
      const { t, rw } = await open({ url: r.url, interval: 1, basicAuth: { username: 'u', password: 'p w' } });
      await until(() => rw.stats.dropped('rejected') > 0, 60_000, 'a refused batch');
      expect(rw.stats.failures()).toBe(0);
      expect(r.headers[0]).toMatchObject({
        'content-encoding': 'snappy',
        'content-type': 'application/x-protobuf',
        'x-prometheus-remote-write-version': '0.1.0',
        authorization: `Basic ${Buffer.from('u:p w').toString('base64')}`,
      });
      expect(r.bodies[0].some((s) => s.labels.__name__ === 'siteward_check_up' && s.labels.check === 'web up')).toBe(true);
      await t.stop();
    } finally {
      await r.close();
    }
  }, 120_000);

  it('a receiver that never answers does not hold up the checks', async () => {
    const r = await fixedReceiver(null);
    try {
      const { t } = await open({ url: r.url, interval: 1, timeout: 60 });
      await until(() => r.bodies.length >= 1, 30_000, 'a request in flight');
      const before = t.site.state('web up').lastCheck ?? 0;
      await until(() => (t.site.state('web up').lastCheck ?? 0) > before + 1500, 30_000, 'runs go on while the request hangs');
      await t.stop();
    } finally {
      await r.close();
    }
  }, 120_000);
});
