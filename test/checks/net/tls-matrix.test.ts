/**
 * Every TLS-speaking check against every test certificate (issue #3): a
 * valid one passes with its days left as `level`; expired, expiring (inside
 * the 7-day window), not yet valid, another host's, self-signed and
 * unknown-CA certificates fail with soft-fail `certificate` and the reason in
 * fletchck's words. With `selfsigned`, only the expiry window applies.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createTestCa, CERT_CASES, type CertCase, type Pem, type TestCa } from '../../servers/testca.ts';
import { startHttps, startSmtp, startTlsEcho, type Running } from '../../servers/tls-servers.ts';
import { tempDir, describeDaemon } from '../../servers/common.ts';
import { startDovecot, DOVECOT, type Dovecot } from '../../servers/dovecot.ts';
import { runCheck, metric } from './harness.ts';

/** The reason each certificate fails verification for, as the detail line says it. */
const VERIFIED: Record<CertCase, string | null> = {
  valid: null,
  expired: 'certificate verify failed: certificate has expired',
  expiring: 'Certificate expires in 3 days',
  notYetValid: 'certificate verify failed: certificate is not yet valid',
  wrongHost: "certificate verify failed: Hostname mismatch, certificate is not valid for 'localhost'.",
  selfSigned: 'certificate verify failed: self-signed certificate',
};

/** With `selfsigned` nothing is verified: only the days left count. */
const UNVERIFIED: Record<CertCase, string | null> = {
  valid: null,
  expired: 'Certificate expires in -3 days',
  expiring: 'Certificate expires in 3 days',
  notYetValid: null,
  wrongHost: null,
  selfSigned: null,
};

interface Target {
  type: string;
  start(pem: Pem): Promise<Running>;
  opts(port: number): Record<string, unknown>;
}

const TARGETS: Target[] = [
  { type: 'cert', start: startTlsEcho, opts: (port) => ({ port }) },
  { type: 'smtp', start: (pem) => startSmtp({ pem }), opts: (port) => ({ port }) },
  { type: 'submit', start: (pem) => startSmtp({ pem, secure: true }), opts: (port) => ({ port }) },
  { type: 'https', start: (pem) => startHttps(pem), opts: (port) => ({ port }) },
];

let ca: TestCa;
let cleanup: () => void;

beforeAll(async () => {
  const t = tempDir('sw-tls-');
  cleanup = t.cleanup;
  ca = await createTestCa(t.dir);
});
afterAll(() => cleanup());

function expectOutcome(o: Awaited<ReturnType<typeof runCheck>>, reason: string | null, days: number): void {
  if (reason === null) {
    expect(o.fail, o.log.join('\n')).toBe(false);
    expect(o.softFail).toBeNull();
  } else {
    expect(o.fail).toBe(true);
    expect(o.log.at(-1)).toBe(`localhost SSLCertVerificationError: ${reason}`);
    expect(o.softFail).toBe('certificate');
  }
  expect(o.level).toBe(`${days} days`);
  expect(metric(o, 'cert_days_left')).toBe(days);
  expect(metric(o, 'response_time')).toBeGreaterThanOrEqual(0);
}

for (const target of TARGETS) {
  describe(`${target.type} against each certificate`, () => {
    for (const c of CERT_CASES) {
      it(`${c}: ${VERIFIED[c] ? 'fails' : 'passes'} when verified`, async () => {
        const server = await target.start(ca[c]);
        try {
          const o = await runCheck(target.type, { hostname: 'localhost', ca: ca.caFile, ...target.opts(server.port) });
          expectOutcome(o, VERIFIED[c], ca.days[c]);
        } finally {
          await server.close();
        }
      });
      it(`${c}: ${UNVERIFIED[c] ? 'fails' : 'passes'} with selfsigned`, async () => {
        const server = await target.start(ca[c]);
        try {
          const o = await runCheck(target.type, { hostname: 'localhost', selfsigned: true, ...target.opts(server.port) });
          expectOutcome(o, UNVERIFIED[c], ca.days[c]);
        } finally {
          await server.close();
        }
      });
    }

    it('a certificate from a CA that is not trusted fails', async () => {
      const server = await target.start(ca.valid);
      try {
        const o = await runCheck(target.type, { hostname: 'localhost', ...target.opts(server.port) });
        expectOutcome(o, 'certificate verify failed: unable to verify the first certificate', ca.days.valid);
      } finally {
        await server.close();
      }
    });

    it('expiryDays moves the window: 3 days left passes with expiryDays 3, fails with 4', async () => {
      const server = await target.start(ca.expiring);
      try {
        const ok = await runCheck(target.type, { hostname: 'localhost', ca: ca.caFile, expiryDays: 3, ...target.opts(server.port) });
        expectOutcome(ok, null, 3);
        const bad = await runCheck(target.type, { hostname: 'localhost', ca: ca.caFile, expiryDays: 4, ...target.opts(server.port) });
        expectOutcome(bad, 'Certificate expires in 3 days', 3);
      } finally {
        await server.close();
      }
    });
  });
}

describeDaemon('imap (Dovecot) against each certificate', [DOVECOT], () => {
  const daemons = new Map<CertCase, Dovecot>();
  let dir: { dir: string; cleanup: () => void };

  beforeAll(async () => {
    dir = tempDir('sw-dv-');
    const started = await Promise.all(CERT_CASES.map(async (c) => [c, await startDovecot(dir.dir, ca[c], c)] as const));
    for (const [c, d] of started) daemons.set(c, d);
  });
  afterAll(async () => {
    await Promise.all([...daemons.values()].map((d) => d.stop()));
    dir.cleanup();
  });

  for (const c of CERT_CASES) {
    it(`${c}: IMAPS ${VERIFIED[c] ? 'fails' : 'passes'} when verified`, async () => {
      const o = await runCheck('imap', { hostname: 'localhost', port: daemons.get(c)!.imapsPort, ca: ca.caFile });
      expectOutcome(o, VERIFIED[c], ca.days[c]);
    });
    it(`${c}: STARTTLS ${VERIFIED[c] ? 'fails' : 'passes'} when verified`, async () => {
      const o = await runCheck('imap', { hostname: 'localhost', port: daemons.get(c)!.imapPort, tls: true, ca: ca.caFile });
      expectOutcome(o, VERIFIED[c], ca.days[c]);
    });
    it(`${c}: IMAPS ${UNVERIFIED[c] ? 'fails' : 'passes'} with selfsigned`, async () => {
      const o = await runCheck('imap', { hostname: 'localhost', port: daemons.get(c)!.imapsPort, selfsigned: true });
      expectOutcome(o, UNVERIFIED[c], ca.days[c]);
    });
  }

  it('a certificate from a CA that is not trusted fails', async () => {
    const o = await runCheck('imap', { hostname: 'localhost', port: daemons.get('valid')!.imapsPort });
    expectOutcome(o, 'certificate verify failed: unable to verify the first certificate', ca.days.valid);
  });
});
