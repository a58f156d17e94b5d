/**
 * Regression: with group commit (real time, src/site-runtime.ts) results are
 * written a turn later. An acknowledgement made in between belongs to the
 * newer failure and must survive the older PASS being written.
 */
import { describe, it, expect } from 'vitest';
import { openTestSite } from '../helpers/site.ts';
import { systemClock } from '../../src/engine/clock.ts';

describe('ack and group commit', () => {
  it('an ack made before the pending results are written is kept', async () => {
    const t = await openTestSite({ checks: { peer: { type: 'remote', subType: 'https', options: {} } } }, { dbPath: ':memory:', clock: systemClock });
    try {
      const now = Date.now();
      const base = { failCount: 0, threshold: 1, softFail: null, level: null, lastCheck: now, lastPass: now };
      t.site.applyRemote('peer', { ...base, failState: false, log: ['up'], lastFail: null });
      t.site.applyRemote('peer', { ...base, failState: true, failCount: 1, log: ['down'], lastFail: now });
      expect(t.site.ops.acknowledge('peer', 'alice', 'mine')).toMatchObject({ ok: true });
      await t.site.runtime.committed();
      expect(t.site.ops.ack('peer')).toMatchObject({ by: 'alice', comment: 'mine' });
    } finally {
      await t.close();
    }
  });
});
