/**
 * The standalone API listener over real HTTP on an OS-chosen port, started
 * through src/wiring.ts as the CLI does with the web UI off: /healthz,
 * /push, /metrics, the REST API and badges; HTTPS when api.cert/key are set.
 */
import { createApiContext } from '../../src/api/app.ts';
import { describe, it, expect } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request as httpsRequest } from 'node:https';
import { generate } from 'selfsigned';
import parse from 'parse-prometheus-text-format';
import { Site } from '../../src/site.ts';
import { FakeClock } from '../../src/engine/clock.ts';
import * as wiring from '../../src/wiring.ts';
import { ApiService, apiListenOptions } from '../../src/api/service.ts';
import { siteTokens } from '../../src/api/tokens.ts';
import { freePort, tempDir } from '../servers/common.ts';
import { writeSite } from '../helpers/site.ts';

const TOKEN = 'listener-token-0123456789';

async function openSite(dir: string, extra: Record<string, unknown>): Promise<Site> {
  const configPath = writeSite(dir, {
    ...extra,
    checks: { job: { type: 'push', trigger: { interval: { hours: 1 } }, options: { token: TOKEN, badge: true } } },
  });
  return wiring.openSite({ configPath, clock: new FakeClock(), migrations: wiring.migrations() });
}

describe('API listener', () => {
  it('serves push, healthz, metrics, the API and badges over HTTP, with the web UI off', async () => {
    const d = tempDir('sw-apisrv-');
    const port = await freePort();
    const site = await openSite(d.dir, { webui: null, api: { hostname: '127.0.0.1', port } });
    try {
      const services = await wiring.services(site, { webui: false });
      // no web UI; the MQTT service is always there and idles without an mqtt section
      expect(services.map((s) => s.name)).toEqual(['mqtt', 'zone', 'zone-views', 'remote-write', 'api']);
      for (const s of services) site.use(s);
      await site.start();
      const base = `http://127.0.0.1:${port}`;

      const health = await fetch(`${base}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok' });

      expect((await fetch(`${base}/push/${TOKEN}?msg=hello`)).status).toBe(200);
      expect(site.state('job').failState).toBe(false);
      const unknown = await fetch(`${base}/push/not-a-token-0123456789`);
      expect(unknown.status).toBe(404);
      expect(await unknown.text()).toBe('');

      const metrics = parse(await (await fetch(`${base}/metrics`)).text());
      expect(metrics.find((f) => f.name === 'siteward_check_up')!.metrics[0]).toMatchObject({ labels: { check: 'job', type: 'push' }, value: '1' });

      const { secret } = siteTokens(site).create({ name: 'http', scope: 'read' });
      expect((await fetch(`${base}/api/v1/status`)).status).toBe(401);
      const status = await fetch(`${base}/api/v1/status`, { headers: { authorization: `Bearer ${secret}` } });
      expect(await status.json()).toMatchObject({ checks: { total: 1, PASS: 1 } });
      expect((await fetch(`${base}/api/v1/openapi.json`)).status).toBe(200);
      expect((await fetch(`${base}/badge/job/state.svg`)).headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    } finally {
      await site.stop();
      d.cleanup();
    }
    // the port is released at stop
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it('no api.port, no listener; SITEWARD_API_PORT adds one', async () => {
    const d = tempDir('sw-apisrv-');
    const site = await openSite(d.dir, {});
    try {
      expect((await wiring.services(site, { webui: false })).map((s) => s.name)).toEqual(['mqtt', 'zone', 'zone-views', 'remote-write']);
      expect(apiListenOptions(site, { SITEWARD_API_PORT: '0', SITEWARD_API_HOSTNAME: '127.0.0.1' })).toEqual({
        hostname: '127.0.0.1',
        port: 0,
        cert: null,
        key: null,
      });
      expect(() => apiListenOptions(site, { SITEWARD_API_PORT: 'eighty' })).toThrow(/SITEWARD_API_PORT/);
    } finally {
      await site.stop();
      d.cleanup();
    }
  });

  it('serves HTTPS when api.cert and api.key are set', async () => {
    const d = tempDir('sw-apisrv-');
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keySize: 2048,
      algorithm: 'sha256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
    });
    writeFileSync(join(d.dir, 'api.cert'), pems.cert);
    writeFileSync(join(d.dir, 'api.key'), pems.private);
    const site = await openSite(d.dir, { api: { cert: 'api.cert', key: 'api.key' } });
    const svc = new ApiService(
      { ...apiListenOptions(site, { SITEWARD_API_PORT: '0', SITEWARD_API_HOSTNAME: '127.0.0.1' })! },
      createApiContext(wiring.apiSiteView(site)),
      site,
    );
    site.use(svc);
    try {
      await site.start();
      expect(svc.tls).toBe(true);
      const body = await new Promise<string>((ok, fail) => {
        const req = httpsRequest({ host: '127.0.0.1', port: svc.port, path: '/healthz', ca: pems.cert }, (res) => {
          let s = '';
          res.on('data', (c: Buffer) => (s += c.toString()));
          res.on('end', () => ok(s));
        });
        req.on('error', fail);
        req.end();
      });
      expect(JSON.parse(body)).toMatchObject({ status: 'ok' });
    } finally {
      await site.stop();
      d.cleanup();
    }
  });
});
