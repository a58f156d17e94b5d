/**
 * The certificate panel of a TLS check's page (issue 22; src/web/certs.ts,
 * src/checks/shared/cert-summary.ts): subject, issuer, the chain the server
 * sent and the days left, as the check recorded them at its last run —
 * against real node:https servers with certificates from a private CA.
 * Recorded compactly: a run with the same certificate writes nothing.
 */
import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import { createServer } from 'node:https';
import { Agent, PASSWORDS, webSite, type TestSite } from './helpers.ts';
import { FakeClock } from '../../src/engine/clock.ts';
import { createTestCa, type TestCa } from '../servers/testca.ts';
import { tempDir } from '../servers/common.ts';
import { startHttps, type Running } from '../servers/tls-servers.ts';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

describe('certificate panel', () => {
  let ca: TestCa;
  let caDir: { dir: string; cleanup: () => void };
  let t: TestSite | null = null;
  const servers: { close(): Promise<void> | void }[] = [];
  beforeAll(async () => {
    caDir = tempDir('sw-certpanel-');
    ca = await createTestCa(caDir.dir);
  });
  afterAll(() => caDir.cleanup());
  afterEach(async () => {
    await t?.close();
    t = null;
    for (const s of servers.splice(0)) await s.close();
  });

  /** an HTTPS server that sends the leaf and the CA certificate (a two-link chain) */
  const withChain = async (): Promise<number> => {
    const srv = createServer({ key: ca.valid.key, cert: `${ca.valid.cert.trim()}\n${ca.ca.cert.trim()}\n` }, (_q, r) => r.end('ok'));
    srv.listen(0, '127.0.0.1');
    await once(srv, 'listening');
    servers.push({ close: () => new Promise<void>((r) => (srv.closeAllConnections(), srv.close(() => r()))) });
    return (srv.address() as AddressInfo).port;
  };

  const site = async (checks: Record<string, unknown>): Promise<Agent> => {
    t = await webSite({ clock: new FakeClock(Date.now()), checks });
    const a = new Agent(t.web);
    await a.login('vera', PASSWORDS.vera);
    return a;
  };
  const panel = (page: string): string => {
    const i = page.indexOf('<section id="certificate"');
    return i < 0 ? '' : page.slice(i, page.indexOf('</section>', i));
  };

  it('shows subject, issuer, chain and days left after a run; nothing before one; a second run writes nothing', async () => {
    const port = await withChain();
    const vera = await site({ web: { type: 'https', options: { hostname: 'localhost', port, ca: ca.caFile } } });
    expect(panel(await vera.page('/check/web'))).toBe('');
    await t!.site.runNow('web');
    expect(t!.site.state('web')?.failState).toBe(false);
    const p = panel(await vera.page('/check/web'));
    expect(p).toContain('<span class="cert-days cert-ok">90 days left</span>');
    expect(p).toMatch(/<dt>Subject<\/dt><dd>CN=localhost<\/dd>/);
    expect(p).toMatch(/<dt>Issuer<\/dt><dd>CN=siteward test CA<\/dd>/);
    expect(p).toContain('DNS:localhost, IP Address:127.0.0.1');
    expect(p).toMatch(/<ol class="chain"><li>CN=siteward test CA <span class="muted">issued by CN=siteward test CA, until /);
    const row = () => t!.site.db.prepare('SELECT seen, cert FROM web_certs WHERE name = ?').get('web') as { seen: number; cert: string };
    const first = row();
    await t!.clock.advance(60_000);
    await t!.site.runNow('web');
    expect(row()).toEqual(first);
  });

  it('a certificate that fails (expired) is shown with what failed', async () => {
    const srv: Running = await startHttps(ca.expired);
    servers.push(srv);
    const vera = await site({ old: { type: 'cert', options: { hostname: 'localhost', port: srv.port, ca: ca.caFile } } });
    await t!.site.runNow('old');
    expect(t!.site.state('old')?.softFail).toBe('certificate');
    const p = panel(await vera.page('/check/old'));
    expect(p).toContain('<span class="cert-days cert-expired">expired 3 days ago</span>');
    // the server sent only its leaf
    expect(p).toContain('the server sent no other certificate');
  });

  it('a new certificate replaces the record; a removed check loses it', async () => {
    const a = await startHttps(ca.expiring);
    servers.push(a);
    const vera = await site({ web: { type: 'cert', options: { hostname: 'localhost', port: a.port, ca: ca.caFile } } });
    await t!.site.runNow('web');
    expect(panel(await vera.page('/check/web'))).toContain('cert-soon">3 days left');
    const b = await startHttps(ca.valid);
    servers.push(b);
    const set = (port: number) =>
      t!.site.mutate((doc) => ({ ...doc, checks: { web: { type: 'cert', options: { hostname: 'localhost', port, ca: ca.caFile } } } }));
    expect((await set(b.port)).ok).toBe(true);
    await t!.site.runNow('web');
    expect(panel(await vera.page('/check/web'))).toContain('cert-ok">90 days left');
    const count = () => (t!.site.db.prepare('SELECT count(*) AS n FROM web_certs').get() as { n: number }).n;
    expect(count()).toBe(1);
    expect((await t!.site.mutate((doc) => ({ ...doc, checks: {} }))).ok).toBe(true);
    expect(count()).toBe(0);
  });
});
