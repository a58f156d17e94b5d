/**
 * cert (spec §4.1): SNI, verification by name or IP address, the probe and
 * its log lines `send: '<probe>', None` / `recv: b'...'`.
 */
import { describe, it, expect, vi } from 'vitest';
import { createServer } from 'node:tls';
import type { AddressInfo, Socket } from 'node:net';
import { startTlsService, startTlsEcho } from '../../servers/tls-servers.ts';
import { netFixture } from './fixture.ts';
import { runCheck } from './harness.ts';

const fx = netFixture('sw-cert-');
const { keep } = fx;

describe('cert', () => {
  it('passes with an empty log and the days left as level; sends the host name as SNI', async () => {
    const s = await keep(startTlsService(fx.ca.valid, () => ''));
    const o = await runCheck('cert', { hostname: 'localhost', port: s.port, ca: fx.ca.caFile });
    expect(o).toMatchObject({ fail: false, log: [], level: '90 days', softFail: null });
    expect(s.names).toEqual(['localhost']);
  });

  it("an IP address is verified against the certificate's IP names and sent without SNI (RFC 6066)", async () => {
    const s = await keep(startTlsService(fx.ca.valid, () => ''));
    expect((await runCheck('cert', { hostname: '127.0.0.1', port: s.port, ca: fx.ca.caFile })).fail).toBe(false);
    expect(s.names).toEqual([]);
    const w = await keep(startTlsEcho(fx.ca.wrongHost));
    const o = await runCheck('cert', { hostname: '127.0.0.1', port: w.port, ca: fx.ca.caFile });
    expect(o.log).toEqual(["127.0.0.1 SSLCertVerificationError: certificate verify failed: IP address mismatch, certificate is not valid for '127.0.0.1'."]);
  });

  it('probe: sends the text after the handshake and logs the first reply as bytes', async () => {
    const s = await keep(startTlsService(fx.ca.valid, (d) => `+OK got ${d.length} bytes\r\n`));
    const o = await runCheck('cert', { hostname: 'localhost', port: s.port, ca: fx.ca.caFile, probe: "HELO it's me\r\n" });
    expect(o.fail).toBe(false);
    expect(o.log).toEqual([`send: "HELO it's me\\r\\n", None`, "recv: b'+OK got 14 bytes\\r\\n'"]);
  });

  it("probe: a server that closes logs recv: b'' and still passes", async () => {
    const s = await keep(startTlsService(fx.ca.valid, () => null));
    const o = await runCheck('cert', { hostname: 'localhost', port: s.port, ca: fx.ca.caFile, probe: 'QUIT\r\n' });
    expect(o.fail).toBe(false);
    expect(o.log).toEqual(["send: 'QUIT\\r\\n', None", "recv: b''"]);
  });

  it('probe: a server that does not answer fails at the timeout', async () => {
    const s = await keep(startTlsService(fx.ca.valid, () => ''));
    const o = await runCheck('cert', { hostname: 'localhost', port: s.port, ca: fx.ca.caFile, probe: 'ping\n', timeout: 1 });
    expect(o.fail).toBe(true);
    expect(o.log).toEqual(["send: 'ping\\n', None", 'localhost TimeoutError: no result within 1 s']);
    expect(o.elapsedMs).toBeLessThan(2000);
  });

  it('probe is used with selfsigned too, and the reply is at most 1024 bytes', async () => {
    const s = await keep(startTlsService(fx.ca.selfSigned, () => 'z'.repeat(3000)));
    const o = await runCheck('cert', { hostname: 'localhost', port: s.port, selfsigned: true, probe: 'x' });
    expect(o.fail).toBe(false);
    expect(o.log[1]).toBe(`recv: b'${'z'.repeat(1024)}'`);
    expect(o.level).toBe('30 days');
  });

  it('a ca file that cannot be read fails clearly', async () => {
    const s = await keep(startTlsEcho(fx.ca.valid));
    const o = await runCheck('cert', { hostname: 'localhost', port: s.port, ca: 'no-such-ca.pem' }, '/nonexistent-site');
    expect(o.log).toEqual(['localhost SSLError: cannot read ca file /nonexistent-site/no-such-ca.pem (ENOENT)']);
  });
  it('without a probe the connection is closed once the run is over (no reader is made for it)', async () => {
    // the server never closes: only the check can end the connection (counted at the TCP level:
    // a client that hangs up right after its handshake may end before the server's own)
    const open = new Set<Socket>();
    let accepted = 0;
    const server = createServer({ key: fx.ca.valid.key, cert: fx.ca.valid.cert }, (tls) => tls.on('error', () => undefined));
    server.on('tlsClientError', () => undefined);
    server.on('connection', (sock: Socket) => {
      accepted++;
      open.add(sock);
      sock.on('close', () => open.delete(sock));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      for (let i = 0; i < 3; i++) {
        const o = await runCheck('cert', { hostname: 'localhost', port, ca: fx.ca.caFile });
        expect(o).toMatchObject({ fail: false, log: [] });
      }
      expect(accepted).toBe(3);
      await vi.waitFor(() => expect(open.size).toBe(0), { timeout: 10_000, interval: 20 });
    } finally {
      for (const sock of open) sock.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
