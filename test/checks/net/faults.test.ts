/**
 * Bad input and faults (issue #3): every TLS-speaking check fails, never
 * hangs and never throws, with a clear detail line when the host does not
 * resolve, the port refuses, the server accepts and says nothing (at the
 * timeout), hangs up at once, or speaks another protocol.
 */
import { describe, it, expect } from 'vitest';
import { startHangup, startHttps, startSilent, startSmtp, startSpeaker, startTlsService, startTlsSpeaker } from '../../servers/tls-servers.ts';
import { freePort } from '../../servers/common.ts';
import { netFixture } from './fixture.ts';
import { runCheck } from './harness.ts';
import { checkType } from '../../../src/checks/registry.ts';

const fx = netFixture('sw-faults-');
const { keep } = fx;

/** Each check and the options that make it speak its protocol (port added per case). */
const VARIANTS: { name: string; type: string; opts: Record<string, unknown> }[] = [
  { name: 'cert', type: 'cert', opts: {} },
  { name: 'smtp', type: 'smtp', opts: {} },
  { name: 'smtp without TLS', type: 'smtp', opts: { tls: false } },
  { name: 'submit', type: 'submit', opts: {} },
  { name: 'imap (IMAPS)', type: 'imap', opts: {} },
  { name: 'imap (STARTTLS)', type: 'imap', opts: { tls: true } },
  { name: 'https', type: 'https', opts: {} },
  { name: 'http', type: 'https', opts: { tls: false } },
];

describe.each(VARIANTS)('$name', ({ type, opts }) => {
  it('fails clearly when the host name does not resolve', async () => {
    const o = await runCheck(type, { ...opts, hostname: 'nosuch.invalid', port: 4433 });
    expect(o.fail).toBe(true);
    expect(o.log.at(-1)).toMatch(/^nosuch\.invalid gaierror: getaddrinfo \w+ nosuch\.invalid$/);
    expect(o.softFail).toBeNull();
  });

  it('fails clearly when the port refuses', async () => {
    const port = await freePort();
    const o = await runCheck(type, { ...opts, hostname: '127.0.0.1', port });
    expect(o.fail).toBe(true);
    expect(o.log).toEqual([`127.0.0.1 ConnectionRefusedError: connect ECONNREFUSED 127.0.0.1:${port}`]);
  });

  it('fails at its timeout when the server accepts and says nothing', async () => {
    const s = await keep(startSilent());
    const o = await runCheck(type, { ...opts, hostname: '127.0.0.1', port: s.port, timeout: 1 });
    expect(o.fail).toBe(true);
    expect(o.log.at(-1)).toBe('127.0.0.1 TimeoutError: no result within 1 s');
    // ended by the timeout, not by some later socket timer
    expect(o.elapsedMs).toBeLessThan(2000);
    expect(o.metrics?.find((m) => m.name === 'response_time')).toBeUndefined();
  });

  it('fails clearly when the server hangs up at once', async () => {
    const s = await keep(startHangup());
    const o = await runCheck(type, { ...opts, hostname: '127.0.0.1', port: s.port, selfsigned: true });
    expect(o.fail).toBe(true);
    expect(o.log.at(-1)).toMatch(
      /^127\.0\.0\.1 (ConnectionResetError: .+|SMTPServerDisconnected: Connection unexpectedly closed|IMAPError: connection closed by server)$/,
    );
  });
});

describe('silence after the TLS handshake', () => {
  it.each([
    ['cert', { probe: 'hello\n' }],
    ['submit', {}],
    ['imap', {}],
    ['https', {}],
  ])('%s fails at its timeout', async (type, extra) => {
    const s = await keep(startTlsService(fx.ca.valid, () => ''));
    const o = await runCheck(type, { hostname: 'localhost', port: s.port, ca: fx.ca.caFile, timeout: 1, ...extra });
    expect(o.fail).toBe(true);
    expect(o.log.at(-1)).toBe('localhost TimeoutError: no result within 1 s');
    expect(o.softFail).toBeNull();
    expect(o.level).toBe('90 days');
    expect(o.elapsedMs).toBeLessThan(2000);
  });
});

describe('wrong protocol', () => {
  it('cert, submit, IMAPS and https fail with an SSLError against a plain-text server', async () => {
    const s = await keep(startSpeaker('220 mx.test ESMTP plain\r\n'));
    for (const type of ['cert', 'submit', 'imap', 'https']) {
      const o = await runCheck(type, { hostname: '127.0.0.1', port: s.port, selfsigned: true });
      expect(o.fail, type).toBe(true);
      expect(o.log.at(-1), type).toBe('127.0.0.1 SSLError: [SSL: WRONG_VERSION_NUMBER] wrong version number');
      expect(o.softFail, type).toBeNull();
    }
  });

  // smtplib keeps line[4:] of a reply whose code is not a number, hence the cut text
  it("smtp fails with smtplib's SMTPConnectError against an IMAP server", async () => {
    const s = await keep(startSpeaker('* OK [CAPABILITY IMAP4rev1] ready\r\n'));
    const o = await runCheck('smtp', { hostname: '127.0.0.1', port: s.port });
    expect(o.log).toEqual(["127.0.0.1 SMTPConnectError: (-1, b'[CAPABILITY IMAP4rev1] ready')"]);
  });

  it('submit fails with SMTPConnectError against an IMAPS server', async () => {
    const s = await keep(startTlsSpeaker(fx.ca.valid, '* OK IMAP4rev1 ready\r\n'));
    const o = await runCheck('submit', { hostname: 'localhost', port: s.port, ca: fx.ca.caFile });
    expect(o.log).toEqual(["localhost SMTPConnectError: (-1, b'IMAP4rev1 ready')"]);
    expect(o.level).toBe('90 days');
  });

  it('imap fails with a clear line against an SMTP server (implicit TLS and STARTTLS)', async () => {
    const tls = await keep(startSmtp({ pem: fx.ca.valid, secure: true }));
    const a = await runCheck('imap', { hostname: 'localhost', port: tls.port, ca: fx.ca.caFile });
    expect(a.log.at(-1)).toMatch(/^localhost IMAPError: not an IMAP greeting: b'220 mx\.test ESMTP/);
    const plain = await keep(startSpeaker('220 mx.test ESMTP\r\n'));
    const b = await runCheck('imap', { hostname: '127.0.0.1', port: plain.port, tls: true });
    expect(b.log).toEqual(["127.0.0.1 IMAPError: not an IMAP greeting: b'220 mx.test ESMTP'"]);
  });

  it('https fails with an HTTP parse error against an SMTP server; http likewise', async () => {
    const tls = await keep(startTlsSpeaker(fx.ca.valid, '220 mx.test ESMTP\r\n'));
    const a = await runCheck('https', { hostname: 'localhost', port: tls.port, ca: fx.ca.caFile });
    expect(a.log.at(-1)).toMatch(/^localhost HTTPException: Parse Error: .+ \(HPE_[A-Z_]+\)$/);
    const plain = await keep(startSpeaker('220 mx.test ESMTP\r\n'));
    const b = await runCheck('https', { hostname: '127.0.0.1', port: plain.port, tls: false });
    expect(b.log.at(-1)).toMatch(/^127\.0\.0\.1 HTTPException: Parse Error: .+ \(HPE_[A-Z_]+\)$/);
  });

  it('cert against a plain HTTPS server still passes: any TLS service will do', async () => {
    const s = await keep(startHttps(fx.ca.valid));
    const o = await runCheck('cert', { hostname: 'localhost', port: s.port, ca: fx.ca.caFile });
    expect(o.fail).toBe(false);
  });
});

describe('bad configuration is refused by the schema, with the option named', () => {
  const bad: [string, Record<string, unknown>, string][] = [
    ['cert', { hostname: 'localhost' }, 'port'],
    ['cert', { hostname: '', port: 443 }, 'hostname'],
    ['smtp', { hostname: 'mx', port: 70000 }, 'port'],
    ['https', { hostname: 'web', reqPath: '/a b' }, 'reqPath'],
    ['https', { hostname: 'web', expectStatus: '299-200' }, 'expectStatus'],
    ['https', { hostname: 'web', expectStatus: [200, 'abc'] }, 'expectStatus'],
    ['imap', { hostname: 'mail', password: { env: '' } }, 'password'],
    ['submit', { hostname: 'mx', expiryDays: -1 }, 'expiryDays'],
  ];
  it.each(bad)('%s %j → %s', (type, opts, key) => {
    const r = checkType(type)!.options.safeParse(opts);
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i: { path: PropertyKey[] }) => i.path[0])).toContain(key);
  });
});
