/**
 * The ssh check against OpenSSH's sshd with host keys made by ssh-keygen
 * (spec §4.6): the key seen is the one in the .pub file and the one
 * ssh-keyscan reads, the host-key algorithm is chosen in paramiko's order,
 * mismatches soft-fail with `hostkey`, and no login is ever attempted.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { describeDaemon, HOST, tempDir } from '../../servers/common.ts';
import { SSHD, keyscan, makeHostKey, startSshd, type HostKey, type HostKeyKind, type Sshd } from '../../servers/sshd.ts';
import { ssh } from '../../../src/checks/ssh/index.ts';
import { runDirect as runCheck } from '../../helpers/run-type.ts';

describeDaemon('ssh check against OpenSSH sshd', [SSHD, '/usr/bin/ssh-keygen', '/usr/bin/ssh-keyscan'], () => {
  let cleanup: () => void;
  const keys = {} as Record<HostKeyKind, HostKey>;
  /** config order deliberately the reverse of paramiko's preference */
  let full: Sshd; // rsa, ecdsa256, ed25519
  let ecRsa: Sshd; // rsa, ecdsa384
  let rsaOnly: Sshd;

  beforeAll(async () => {
    const t = tempDir('sw-sshd-');
    cleanup = t.cleanup;
    for (const k of ['ed25519', 'ecdsa256', 'ecdsa384', 'rsa'] as const) keys[k] = makeHostKey(t.dir, k);
    [full, ecRsa, rsaOnly] = await Promise.all([
      startSshd(t.dir, 'sshd-full', [keys.rsa, keys.ecdsa256, keys.ed25519]),
      startSshd(t.dir, 'sshd-ecrsa', [keys.rsa, keys.ecdsa384]),
      startSshd(t.dir, 'sshd-rsa', [keys.rsa]),
    ]);
  });

  afterAll(async () => {
    await Promise.all([full, ecRsa, rsaOnly].filter(Boolean).map((d) => d.stop()));
    cleanup?.();
  });

  it('learns the host key on first use: fletchck log lines, the .pub blob, saved at once', async () => {
    const { outcome, saved } = await runCheck(ssh, { hostname: HOST, port: full.port });
    expect(outcome.fail).toBe(false);
    expect(outcome.log).toEqual([`${HOST}:${full.port} '${keys.ed25519.blob}'`, 'ignore: None', 'close: None']);
    expect(saved).toEqual([{ hostkey: keys.ed25519.blob }]);
    expect(outcome.softFail ?? null).toBeNull();
  });

  it('shows the same key as ssh-keyscan', async () => {
    const [type, blob] = keyscan(full.port, 'ed25519');
    expect(type).toBe('ssh-ed25519');
    const { outcome } = await runCheck(ssh, { hostname: HOST, port: full.port, hostkey: blob });
    expect(outcome.fail).toBe(false);
  });

  it('reports the key-exchange time as a numeric metric', async () => {
    const { outcome } = await runCheck(ssh, { hostname: HOST, port: full.port, hostkey: keys.ed25519.blob });
    const m = outcome.metrics?.find((x) => x.name === 'response_time');
    expect(m?.unit).toBe('s');
    expect(m!.value).toBeGreaterThanOrEqual(0);
  });

  // RFC 4253 §7.1: the client's order decides; paramiko prefers ed25519, then ECDSA, then RSA
  const order: { name: string; server: () => Sshd; expect: HostKeyKind }[] = [
    { name: 'ed25519 over ECDSA and RSA', server: () => full, expect: 'ed25519' },
    { name: 'ECDSA over RSA', server: () => ecRsa, expect: 'ecdsa384' },
    { name: 'RSA when it is the only key', server: () => rsaOnly, expect: 'rsa' },
  ];
  for (const c of order) {
    it(`picks the host key in paramiko's order: ${c.name}`, async () => {
      const s = c.server();
      const { outcome, saved } = await runCheck(ssh, { hostname: HOST, port: s.port });
      expect(outcome.fail).toBe(false);
      expect(saved).toEqual([{ hostkey: keys[c.expect].blob }]);
      // and a key stored that way keeps matching on the next run
      const again = await runCheck(ssh, { hostname: HOST, port: s.port, hostkey: keys[c.expect].blob });
      expect(again.outcome.fail).toBe(false);
      expect(again.saved).toEqual([]);
    });
  }

  it('accepts the OpenSSH SHA256 fingerprint printed by ssh-keygen -lf', async () => {
    expect(keys.ed25519.fingerprint).toMatch(/^SHA256:/);
    const { outcome, saved } = await runCheck(ssh, { hostname: HOST, port: full.port, hostkey: keys.ed25519.fingerprint });
    expect(outcome.fail).toBe(false);
    expect(outcome.log.slice(1)).toEqual(['ignore: None', 'close: None']);
    expect(saved).toEqual([]);
  });

  const mismatches: { name: string; hostkey: () => string }[] = [
    { name: "another key blob (the server's own RSA key)", hostkey: () => keys.rsa.blob },
    { name: "another key's fingerprint", hostkey: () => keys.ecdsa256.fingerprint },
  ];
  for (const c of mismatches) {
    it(`fails with Invalid host key and softFail hostkey for ${c.name}`, async () => {
      const { outcome, saved } = await runCheck(ssh, { hostname: HOST, port: full.port, hostkey: c.hostkey() });
      expect(outcome.fail).toBe(true);
      expect(outcome.softFail).toBe('hostkey');
      expect(outcome.log).toEqual([`${HOST}:${full.port} '${keys.ed25519.blob}'`, `${HOST} ValueError: Invalid host key`]);
      expect(saved).toEqual([]);
    });
  }

  it('never attempts to log in: sshd sees only pre-auth disconnects', async () => {
    await runCheck(ssh, { hostname: HOST, port: rsaOnly.port, hostkey: keys.rsa.blob });
    const log = rsaOnly.daemon.log();
    expect(log).toMatch(/Received disconnect from 127\.0\.0\.1 port \d+:11: .*\[preauth\]/);
    expect(log).not.toMatch(/Invalid user|Failed |authenticating user|Accepted /);
  });
});

describe('ssh check options', () => {
  it('rejects a hostkey that is neither a base64 blob nor a SHA256 fingerprint', () => {
    expect(ssh.options.safeParse({ hostname: HOST, hostkey: 'ssh-ed25519 AAAA comment' }).success).toBe(false);
    expect(ssh.options.safeParse({ hostname: HOST, hostkey: 'MD5:ab:cd' }).success).toBe(false);
  });

  it('requires a hostname and defaults port 22 and timeout 5', () => {
    expect(ssh.options.safeParse({}).success).toBe(false);
    const o = ssh.options.parse({ hostname: 'gw' });
    expect([o.port, o.timeout, o.hostkey]).toEqual([22, 5, undefined]);
  });
});
