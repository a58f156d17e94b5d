/**
 * Trust on first use through a real Site (spec §4.6, fixed): the learned host
 * key is in the site file as soon as the run ends — not only in memory until
 * the next save, as in fletchck — and a stored key is never overwritten.
 */
import { openSite } from '../../../src/wiring.ts';
import { it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeDaemon, HOST, tempDir } from '../../servers/common.ts';
import { SSHD, makeHostKey, startSshd, type HostKey, type Sshd } from '../../servers/sshd.ts';

function siteFile(path: string, options: Record<string, unknown>): void {
  writeFileSync(path, JSON.stringify({ checks: { gw: { type: 'ssh', trigger: null, options } } }, null, 1));
}

const storedOptions = (path: string): Record<string, unknown> =>
  (JSON.parse(readFileSync(path, 'utf8')) as { checks: { gw: { options: Record<string, unknown> } } }).checks.gw.options;

describeDaemon('ssh trust on first use through a Site', [SSHD, '/usr/bin/ssh-keygen'], () => {
  let dir: string;
  let cleanup: () => void;
  let key: HostKey;
  let other: HostKey;
  let sshd: Sshd;

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir('sw-tofu-'));
    key = makeHostKey(dir, 'ed25519');
    other = makeHostKey(dir, 'ecdsa256');
    sshd = await startSshd(dir, 'sshd-tofu', [key]);
  });

  afterAll(async () => {
    await sshd?.stop();
    cleanup?.();
  });

  it('saves the learned key into the site file at once, and the next run matches it', async () => {
    const path = join(dir, 'tofu.json');
    siteFile(path, { hostname: HOST, port: sshd.port });
    const site = await openSite({ configPath: path, dbPath: ':memory:' });
    try {
      const first = await site.runNow('gw');
      expect(first?.failState).toBe(false);
      // read before stop(): the save must not wait for shutdown
      expect(storedOptions(path)).toEqual({ hostname: HOST, port: sshd.port, hostkey: key.blob });
      const second = await site.runNow('gw');
      expect(second?.failState).toBe(false);
      expect(second?.log).toEqual([`${HOST}:${sshd.port} '${key.blob}'`, 'ignore: None', 'close: None']);
    } finally {
      await site.stop();
    }
  });

  it('keeps a stored key that no longer matches and soft-fails with hostkey', async () => {
    const path = join(dir, 'stale.json');
    siteFile(path, { hostname: HOST, port: sshd.port, hostkey: other.blob });
    const site = await openSite({ configPath: path, dbPath: ':memory:' });
    try {
      const s = await site.runNow('gw');
      expect(s?.failState).toBe(true);
      expect(s?.softFail).toBe('hostkey');
      expect(s?.log[1]).toBe(`${HOST} ValueError: Invalid host key`);
      expect(storedOptions(path).hostkey).toBe(other.blob);
    } finally {
      await site.stop();
    }
    expect(storedOptions(path).hostkey).toBe(other.blob);
  });
});
