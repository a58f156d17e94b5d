/**
 * tcp (siteward): connect, optional TLS with the shared verification and
 * expiry window, optional send/expect with a bounded read — against real
 * servers on 127.0.0.1.
 */
import { describe, it, expect } from 'vitest';
import { createServer, type Server, type Socket, type AddressInfo } from 'node:net';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { createTestCa } from '../../servers/testca.ts';
import { startTlsService, startSilent, startHangup, type Running } from '../../servers/tls-servers.ts';
import { freePort, tempDir } from '../../servers/common.ts';
import { checkType } from '../../../src/checks/registry.ts';
import { EXPECT_LIMIT } from '../../../src/checks/tcp/index.ts';
import { netFixture } from './fixture.ts';
import { metric, parseOptions, runCheck } from './harness.ts';

const fx = netFixture('sw-tcp-');
const { keep } = fx;

/** A plain TCP server running `onConn` per connection; `received` collects what clients sent. */
async function tcpServer(onConn: (s: Socket) => void): Promise<Running & { received: string[] }> {
  const received: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    let got = '';
    s.on('data', (d: Buffer) => (got += d.toString('utf8')));
    s.on('end', () => received.push(got));
    onConn(s);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return keep(
    Promise.resolve({
      port: (server.address() as AddressInfo).port,
      received,
      close: async () => {
        for (const s of sockets) s.destroy();
        await new Promise<void>((res) => server.close(() => res()));
      },
    }),
  );
}

describe('tcp: connect', () => {
  it('passes on a connect with an empty log and the response time as a metric', async () => {
    const s = await tcpServer(() => undefined);
    const o = await runCheck('tcp', { hostname: '127.0.0.1', port: s.port });
    expect(o).toMatchObject({ fail: false, log: [], level: null, softFail: null });
    expect(metric(o, 'response_time')).toBeGreaterThanOrEqual(0);
    expect(metric(o, 'cert_days_left')).toBeUndefined();
  });

  it('a closed port fails with ConnectionRefusedError', async () => {
    const port = await freePort();
    const o = await runCheck('tcp', { hostname: '127.0.0.1', port });
    expect(o.fail).toBe(true);
    expect(o.log).toEqual([`127.0.0.1 ConnectionRefusedError: connect ECONNREFUSED 127.0.0.1:${port}`]);
  });

  it('an unknown host fails with gaierror', async () => {
    const o = await runCheck('tcp', { hostname: 'nosuch.invalid', port: 80 });
    expect(o.fail).toBe(true);
    expect(o.log[0]).toMatch(/^nosuch\.invalid gaierror: getaddrinfo (ENOTFOUND|EAI_AGAIN) nosuch\.invalid$/);
  });
});

describe('tcp: send and expect', () => {
  it('sends the text (the server receives it whole) and passes without expect', async () => {
    const s = await tcpServer(() => undefined);
    const o = await runCheck('tcp', { hostname: '127.0.0.1', port: s.port, send: 'HELLO there\r\n' });
    expect(o.fail).toBe(false);
    await expect.poll(() => s.received).toEqual(['HELLO there\r\n']);
  });

  it('expect: passes when the reply contains the text, also when it arrives split across packets', async () => {
    const s = await tcpServer((c) => {
      c.once('data', () => {
        c.write('+OK ser');
        setTimeout(() => c.write('vice ready\r\n'), 50);
      });
    });
    const o = await runCheck('tcp', { hostname: '127.0.0.1', port: s.port, send: 'PING\r\n', expect: 'service ready' });
    expect(o).toMatchObject({ fail: false, log: [] });
  });

  it('expect without send reads the greeting (a banner check)', async () => {
    const s = await tcpServer((c) => c.end('SSH-2.0-OpenSSH_9.2\r\n'));
    expect((await runCheck('tcp', { hostname: '127.0.0.1', port: s.port, expect: 'SSH-2.0' })).fail).toBe(false);
    const o = await runCheck('tcp', { hostname: '127.0.0.1', port: s.port, expect: 'SSH-1.99' });
    expect(o.log).toEqual(["127.0.0.1 UnexpectedReply: 'SSH-1.99' not found before the connection closed; reply: b'SSH-2.0-OpenSSH_9.2\\r\\n'"]);
  });

  it('a reply without the text fails when the server closes, showing what came', async () => {
    const s = await tcpServer((c) => c.end('-ERR go away\r\n'));
    const o = await runCheck('tcp', { hostname: '127.0.0.1', port: s.port, expect: '+OK' });
    expect(o.fail).toBe(true);
    expect(o.log).toEqual(["127.0.0.1 UnexpectedReply: '+OK' not found before the connection closed; reply: b'-ERR go away\\r\\n'"]);
  });

  it('a server that hangs up at once fails the same way with an empty reply', async () => {
    const s = await keep(startHangup());
    const o = await runCheck('tcp', { hostname: '127.0.0.1', port: s.port, expect: 'x' });
    expect(o.fail).toBe(true);
    expect(o.log[0]).toMatch(/^127\.0\.0\.1 (UnexpectedReply: 'x' not found before the connection closed; reply: b''|ConnectionResetError: .*)$/);
  });

  it(`reads at most ${EXPECT_LIMIT} bytes of a server that streams without the text`, async () => {
    const s = await tcpServer((c) => {
      const junk = Buffer.alloc(16 * 1024, 0x7a);
      const pump = (): void => {
        while (!c.destroyed && c.write(junk));
        if (!c.destroyed) c.once('drain', pump);
      };
      pump();
    });
    const o = await runCheck('tcp', { hostname: '127.0.0.1', port: s.port, expect: 'never', timeout: 5 });
    expect(o.fail).toBe(true);
    expect(o.log[0]).toContain(`'never' not found before ${EXPECT_LIMIT} bytes were read; reply: b'${'z'.repeat(200)}'…`);
  });

  it('a server that accepts and never answers fails at the timeout, without a response time', async () => {
    const s = await keep(startSilent());
    const o = await runCheck('tcp', { hostname: '127.0.0.1', port: s.port, send: 'ping\n', expect: 'pong', timeout: 1 });
    expect(o.fail).toBe(true);
    expect(o.log).toEqual(['127.0.0.1 TimeoutError: no result within 1 s']);
    expect(metric(o, 'response_time')).toBeUndefined();
    expect(o.elapsedMs).toBeLessThan(2500);
  });
});

describe('tcp: tls', () => {
  it('verifies the certificate against the ca, reports days left as level and metric', async () => {
    const s = await keep(startTlsService(fx.ca.valid, () => ''));
    const o = await runCheck('tcp', { hostname: 'localhost', port: s.port, tls: true, ca: fx.ca.caFile });
    expect(o).toMatchObject({ fail: false, log: [], level: '90 days', softFail: null });
    expect(metric(o, 'cert_days_left')).toBe(90);
    expect(s.names).toEqual(['localhost']);
  });

  it('an untrusted certificate fails with the certificate soft-fail; selfsigned accepts it', async () => {
    const s = await keep(startTlsService(fx.ca.selfSigned, () => ''));
    const bad = await runCheck('tcp', { hostname: 'localhost', port: s.port, tls: true });
    expect(bad).toMatchObject({ fail: true, softFail: 'certificate', level: '30 days' });
    expect(bad.log).toEqual(['localhost SSLCertVerificationError: certificate verify failed: self-signed certificate']);
    expect((await runCheck('tcp', { hostname: 'localhost', port: s.port, tls: true, selfsigned: true })).fail).toBe(false);
  });

  it('an edited ca file takes effect on the next run (TLS contexts are shared per CA content)', async () => {
    const s = await keep(startTlsService(fx.ca.valid, () => ''));
    const t = tempDir('sw-tcp-ca-');
    try {
      const other = await createTestCa(t.dir);
      const file = join(t.dir, 'trust.pem');
      writeFileSync(file, fx.ca.ca.cert);
      expect((await runCheck('tcp', { hostname: 'localhost', port: s.port, tls: true, ca: file })).fail).toBe(false);
      writeFileSync(file, other.ca.cert);
      const o = await runCheck('tcp', { hostname: 'localhost', port: s.port, tls: true, ca: file });
      expect(o).toMatchObject({ fail: true, softFail: 'certificate' });
      writeFileSync(file, fx.ca.ca.cert);
      expect((await runCheck('tcp', { hostname: 'localhost', port: s.port, tls: true, ca: file })).fail).toBe(false);
    } finally {
      t.cleanup();
    }
  });

  it('the expiry window applies', async () => {
    const s = await keep(startTlsService(fx.ca.expiring, () => ''));
    const o = await runCheck('tcp', { hostname: 'localhost', port: s.port, tls: true, ca: fx.ca.caFile });
    expect(o).toMatchObject({
      fail: true,
      softFail: 'certificate',
      level: '3 days',
      log: ['localhost SSLCertVerificationError: Certificate expires in 3 days'],
    });
    expect((await runCheck('tcp', { hostname: 'localhost', port: s.port, tls: true, ca: fx.ca.caFile, expiryDays: 2 })).fail).toBe(false);
  });

  it('send and expect run over the TLS session', async () => {
    const s = await keep(startTlsService(fx.ca.valid, (d) => `echo ${d.toString('utf8')}`));
    const o = await runCheck('tcp', { hostname: 'localhost', port: s.port, tls: true, ca: fx.ca.caFile, send: 'abc', expect: 'echo abc' });
    expect(o.fail).toBe(false);
  });

  it('a plain-text port under tls fails with SSLError', async () => {
    const s = await tcpServer((c) => c.write('220 plain text here\r\n'));
    const o = await runCheck('tcp', { hostname: '127.0.0.1', port: s.port, tls: true, selfsigned: true });
    expect(o.fail).toBe(true);
    expect(o.log[0]).toMatch(/^127\.0\.0\.1 SSLError: \[SSL: /);
  });
});

describe('tcp: options', () => {
  it('port is required; defaults: no tls, timeout 5 s, expiryDays 7', () => {
    expect(checkType('tcp')!.options.safeParse({ hostname: 'h' }).success).toBe(false);
    expect(parseOptions('tcp', { hostname: 'h', port: 22 })).toMatchObject({ tls: false, selfsigned: false, expiryDays: 7 });
    expect(checkType('tcp')!.defaultTimeout).toBe(5);
  });

  it('every option has a description', () => {
    const shape = (checkType('tcp')!.options as unknown as z.ZodObject).shape;
    expect(
      Object.entries(shape)
        .filter(([, s]) => !(s as z.ZodType).description)
        .map(([k]) => k),
    ).toEqual([]);
  });
});
