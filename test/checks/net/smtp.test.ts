/**
 * smtp and submit (spec §4.2, §4.3) against smtp-server with STARTTLS and
 * with implicit TLS, and against scripted servers for the edge cases. Log
 * lines are smtplib's reply tuples; the expected lines below were checked
 * against Python's smtplib talking to the same smtp-server.
 */
import { describe, it, expect } from 'vitest';
import { hostname } from 'node:os';
import { startScripted, startSmtp } from '../../servers/tls-servers.ts';
import { netFixture } from './fixture.ts';
import { runCheck, metric } from './harness.ts';
import { smtpAddress } from '../../../src/checks/shared/smtp.ts';

const fx = netFixture('sw-smtp-');
const { keep } = fx;

/** smtp-server's EHLO reply after TLS, as smtplib joins it. */
const EHLO = /^\(250, b'mx\.test Nice to meet you, [^']+\\nPIPELINING\\n8BITMIME\\nSMTPUTF8'\)$/;

describe('smtp', () => {
  it('STARTTLS, then EHLO decides, then NOOP and QUIT: smtplib reply tuples in the log', async () => {
    const s = await keep(startSmtp({ pem: fx.ca.valid }));
    const o = await runCheck('smtp', { hostname: 'localhost', port: s.port, ca: fx.ca.caFile });
    expect(o.fail).toBe(false);
    expect(o.log).toHaveLength(4);
    expect(o.log[0]).toBe("(220, b'Ready to start TLS')");
    expect(o.log[1]).toMatch(EHLO);
    expect(o.log.slice(2)).toEqual(["(250, b'OK')", "(221, b'Bye')"]);
    expect(o.level).toBe('90 days');
    expect(metric(o, 'response_time')).toBeGreaterThanOrEqual(0);
  });

  it('tls false: plain EHLO, no certificate and no level', async () => {
    const s = await keep(startSmtp({ pem: fx.ca.valid, hideStartTls: true }));
    const o = await runCheck('smtp', { hostname: 'localhost', port: s.port, tls: false });
    expect(o.fail).toBe(false);
    expect(o.log[0]).toMatch(/^\(250, b'mx\.test Nice to meet you, [^']+\\nPIPELINING\\n8BITMIME\\nSMTPUTF8'\)$/);
    expect(o.log.slice(1)).toEqual(["(250, b'OK')", "(221, b'Bye')"]);
    expect(o.level).toBeNull();
    expect(metric(o, 'cert_days_left')).toBeUndefined();
  });

  it("fails when the server does not offer STARTTLS (smtplib's words)", async () => {
    const s = await keep(startSmtp({ pem: fx.ca.valid, hideStartTls: true }));
    const o = await runCheck('smtp', { hostname: 'localhost', port: s.port, ca: fx.ca.caFile });
    expect(o.fail).toBe(true);
    expect(o.log).toEqual(['localhost SMTPNotSupportedError: STARTTLS extension not supported by server.']);
  });

  it('"host:port" in hostname works when port is 0, as with smtplib', async () => {
    const s = await keep(startSmtp({ pem: fx.ca.valid }));
    const o = await runCheck('smtp', { hostname: `localhost:${s.port}`, port: 0, ca: fx.ca.caFile });
    expect(o.fail).toBe(false);
    expect(smtpAddress('mx.example:2525', 0, 25)).toEqual({ host: 'mx.example', port: 2525 });
    expect(smtpAddress('mx.example', undefined, 25)).toEqual({ host: 'mx.example', port: 25 });
    expect(smtpAddress('::1', 0, 25)).toEqual({ host: '::1', port: 25 });
    expect(() => smtpAddress('mx.example:smtp', 0, 25)).toThrow(/nonnumeric port/);
  });

  it('a refused greeting fails with SMTPConnectError and the reply', async () => {
    const s = await keep(startScripted('554 5.3.2 not accepting mail\r\n', () => null));
    const o = await runCheck('smtp', { hostname: '127.0.0.1', port: s.port });
    expect(o.log).toEqual(["127.0.0.1 SMTPConnectError: (554, b'5.3.2 not accepting mail')"]);
  });

  it('a refused EHLO fails (fletchck passes on any EHLO reply)', async () => {
    const s = await keep(startScripted('220 ready\r\n', (l) => (l.startsWith('EHLO') ? '502 5.5.1 EHLO not here\r\n' : '221 bye\r\n')));
    const o = await runCheck('smtp', { hostname: '127.0.0.1', port: s.port, tls: false });
    expect(o.fail).toBe(true);
    expect(o.log).toEqual(["(502, b'5.5.1 EHLO not here')", "127.0.0.1 SMTPHeloError: (502, b'5.5.1 EHLO not here')"]);
  });

  it('a failure after EHLO is logged but the pass stands (spec §4.2)', async () => {
    const s = await keep(startScripted('220 ready\r\n', (l) => (l.startsWith('EHLO') ? '250-mx\r\n250 SIZE 1000\r\n' : null)));
    const o = await runCheck('smtp', { hostname: '127.0.0.1', port: s.port, tls: false });
    expect(o.fail).toBe(false);
    expect(o.log).toEqual(["(250, b'mx\\nSIZE 1000')", '127.0.0.1 SMTPServerDisconnected: Connection unexpectedly closed']);
  });

  it('EHLO names this host, and STARTTLS falls back to HELO when EHLO is refused', async () => {
    const seen: string[] = [];
    const s = await keep(
      startScripted('220 old\r\n', (l) => {
        seen.push(l);
        if (l.startsWith('EHLO')) return '500 what\r\n';
        if (l.startsWith('HELO')) return '250 old\r\n';
        return '221 bye\r\n';
      }),
    );
    const o = await runCheck('smtp', { hostname: '127.0.0.1', port: s.port });
    expect(seen).toEqual([`EHLO ${hostname()}`, `HELO ${hostname()}`]);
    expect(o.log).toEqual(['127.0.0.1 SMTPNotSupportedError: STARTTLS extension not supported by server.']);
  });

  it('a reply line over 8192 bytes fails like smtplib', async () => {
    const s = await keep(startScripted(`220 ${'x'.repeat(9000)}\r\n`, () => null));
    const o = await runCheck('smtp', { hostname: '127.0.0.1', port: s.port });
    expect(o.log).toEqual(["127.0.0.1 SMTPResponseException: (500, 'Line too long.')"]);
  });

  it('refuses data sent between the STARTTLS reply and the handshake (CVE-2011-0411)', async () => {
    const s = await keep(
      startScripted('220 ready\r\n', (l) => {
        if (l.startsWith('EHLO')) return '250-mx\r\n250 STARTTLS\r\n';
        if (l === 'STARTTLS') return '220 go ahead\r\n250 injected\r\n';
        return null;
      }),
    );
    const o = await runCheck('smtp', { hostname: '127.0.0.1', port: s.port });
    expect(o.fail).toBe(true);
    expect(o.log).toEqual(['127.0.0.1 ProtocolError: the server sent data before the TLS handshake']);
  });
});

describe('submit', () => {
  it('implicit TLS, EHLO decides, NOOP and QUIT: smtplib reply tuples in the log', async () => {
    const s = await keep(startSmtp({ pem: fx.ca.valid, secure: true }));
    const o = await runCheck('submit', { hostname: 'localhost', port: s.port, ca: fx.ca.caFile });
    expect(o.fail).toBe(false);
    expect(o.log).toHaveLength(3);
    expect(o.log[0]).toMatch(EHLO);
    expect(o.log.slice(1)).toEqual(["(250, b'OK')", "(221, b'Bye')"]);
    expect(o.level).toBe('90 days');
    expect(metric(o, 'cert_days_left')).toBe(90);
    expect(metric(o, 'response_time')).toBeGreaterThanOrEqual(0);
  });

  it('applies the expiry window (fletchck skips it for submit)', async () => {
    const s = await keep(startSmtp({ pem: fx.ca.expiring, secure: true }));
    const o = await runCheck('submit', { hostname: 'localhost', port: s.port, ca: fx.ca.caFile });
    expect(o.fail).toBe(true);
    expect(o.softFail).toBe('certificate');
    expect(o.log).toEqual(['localhost SSLCertVerificationError: Certificate expires in 3 days']);
  });

  it('against a STARTTLS (plain) port fails with an SSLError', async () => {
    const s = await keep(startSmtp({ pem: fx.ca.valid }));
    const o = await runCheck('submit', { hostname: 'localhost', port: s.port, ca: fx.ca.caFile });
    expect(o.log).toEqual(['localhost SSLError: [SSL: WRONG_VERSION_NUMBER] wrong version number']);
  });
});
