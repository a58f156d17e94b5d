/**
 * TLS contexts are built once per trust (src/checks/shared/tls.ts): Node's
 * default store is one shared context (tls.connect without one built an
 * SSL_CTX per connection, issue 20), a CA file its own — and verification
 * still follows the trust of each run.
 */
import { describe, it, expect } from 'vitest';
import { loadTrust } from '../../../src/checks/shared/tls.ts';
import { startTlsService } from '../../servers/tls-servers.ts';
import { netFixture } from './fixture.ts';
import { runCheck } from './harness.ts';

const fx = netFixture('sw-tls-context-');
const env = { base: process.cwd(), pluginDirs: [], sysRoot: '/sys', procRoot: '/proc' };

describe('TLS contexts', () => {
  it("the default store and selfsigned runs share one context; a CA file's runs share another", async () => {
    const a = await loadTrust({ selfsigned: false }, env);
    const b = await loadTrust({ selfsigned: false }, env);
    const s = await loadTrust({ selfsigned: true }, env);
    expect(a.context).toBeDefined();
    expect(b.context).toBe(a.context);
    expect(s.context).toBe(a.context);
    const c1 = await loadTrust({ selfsigned: false, ca: fx.ca.caFile }, env);
    const c2 = await loadTrust({ selfsigned: false, ca: fx.ca.caFile }, env);
    expect(c1.context).toBeDefined();
    expect(c2.context).toBe(c1.context);
    expect(c1.context).not.toBe(a.context);
  });

  it('runs on the shared default context still verify: the test CA is unknown to it, selfsigned passes, the CA file passes', async () => {
    const srv = await fx.keep(startTlsService(fx.ca.valid, () => ''));
    for (let i = 0; i < 2; i++) {
      const bad = await runCheck('cert', { hostname: 'localhost', port: srv.port });
      expect(bad.fail).toBe(true);
      expect(bad.log.join('\n')).toMatch(/certificate verify failed/);
      expect((await runCheck('cert', { hostname: 'localhost', port: srv.port, selfsigned: true })).fail).toBe(false);
      expect((await runCheck('cert', { hostname: 'localhost', port: srv.port, ca: fx.ca.caFile })).fail).toBe(false);
    }
  });
});
