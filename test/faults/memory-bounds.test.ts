/**
 * What siteward keeps in memory while the database refuses writes is
 * bounded (issue 16): at most MAX_UNSTORED results — runs without a
 * transition give way first, so no failure or recovery is dropped while a
 * plain run can go — and at most MAX_HELD notifications, the oldest going,
 * each loss said once in the site log. The refusal is a real SQLite error
 * (SQLITE_FULL) from the store's write.
 */
import { openSite } from '../../src/wiring.ts';
import { describe, it, expect, afterEach } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Site } from '../../src/site.ts';
import { FakeClock } from '../../src/engine/clock.ts';
import type { RemoteData } from '../../src/engine/state.ts';
import { MAX_UNSTORED } from '../../src/site-runtime.ts';
import { MAX_HELD } from '../../src/actions/outbox/volatile.ts';
import { OUTBOX_MIGRATIONS } from '../../src/actions/outbox/store.ts';
import { createOutbox } from '../../src/actions/outbox/site.ts';
import type { OutboxNotifier } from '../../src/actions/outbox/notifier.ts';
import { tempDir } from '../servers/common.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const full = (): Error => Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });

const state = (fail: boolean, n: number): RemoteData => ({
  failState: fail,
  failCount: fail ? 1 : 0,
  threshold: 1,
  log: [`update ${n}`],
  softFail: null,
  level: null,
  lastCheck: n,
  lastFail: fail ? n : null,
  lastPass: fail ? null : n,
});

async function open(checks: Record<string, unknown>): Promise<Site> {
  const t = tempDir('sw-bounds-');
  const configPath = join(t.dir, 'site.json');
  // the webhook goes nowhere (port 9 on loopback refuses): deliveries fail and wait for their retry
  writeFileSync(
    configPath,
    JSON.stringify({ scheduler: { jitter: 0 }, actions: { hook: { type: 'webhook', options: { url: 'http://127.0.0.1:9/' } } }, checks }),
  );
  const site = await openSite({
    configPath,
    dbPath: join(t.dir, 'site.db'),
    clock: new FakeClock(Date.UTC(2026, 0, 1)),
    migrations: [OUTBOX_MIGRATIONS],
    notifier: createOutbox,
  });
  cleanups.push(
    () => t.cleanup(),
    () => site.stop(),
  );
  return site;
}

describe('memory while the database refuses writes', () => {
  it(`keeps at most ${MAX_UNSTORED} results: plain runs give way, transitions stay`, async () => {
    const site = await open({ a: { type: 'remote', subType: 'x' }, b: { type: 'remote', subType: 'x' } });
    site.store.write = () => {
      throw full();
    };
    // b changes state 5 times (transitions); a repeats the same state (plain runs)
    site.applyRemote('b', state(false, 0));
    for (let i = 1; i <= 4; i++) site.applyRemote('b', state(i % 2 === 1, i));
    for (let i = 0; i < MAX_UNSTORED + 100; i++) site.applyRemote('a', state(false, 10 + i));
    expect(site.runtime.unstoredCount).toBe(MAX_UNSTORED);
    expect(site.storage.problem?.message).toBe('siteward cannot store results (database or disk is full)');
    const lines = site.siteLog.all().filter((l) => l.includes('wait to be stored'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/More than 10000 results wait to be stored: the oldest are dropped from memory/);
    // the store takes writes again: every transition of b is there, in order
    delete (site.store as { write?: unknown }).write;
    await site.runtime.committed();
    site.applyRemote('a', state(false, 99_999));
    expect(site.runtime.unstoredCount).toBe(0);
    expect(
      site.store
        .transitions('b')
        .map((t) => t.to)
        .reverse(),
    ).toEqual(['PASS', 'FAIL', 'PASS', 'FAIL', 'PASS']);
    expect(site.storage.problem).toBeNull();
  }, 120_000);

  it(`keeps at most ${MAX_HELD} notifications in memory, the oldest going, said once`, async () => {
    const site = await open({ c: { type: 'remote', subType: 'x', actions: ['hook'] } });
    const outbox = site.notifier as OutboxNotifier;
    for (let i = 0; i < MAX_HELD + 20; i++) outbox.hold(['hook'], site.runtime.notification('c', 'transition'), full());
    expect(outbox.heldCount).toBe(MAX_HELD);
    expect(outbox.actionStatus('hook').queued).toBe(MAX_HELD);
    expect(site.siteLog.all().filter((l) => l.includes('notifications wait in memory'))).toHaveLength(1);
    expect(site.storage.problem?.message).toBe('siteward cannot store notifications (database or disk is full)');
  }, 120_000);
});
