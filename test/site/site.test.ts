/**
 * The site end to end on a fake clock: scheduling, sequences, notifications,
 * live config mutation, reload, and state that survives a restart.
 */
import { openSite } from '../../src/wiring.ts';
import { describe, it, expect } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openTestSite, procFixture } from '../helpers/site.ts';
import { putCheck, deleteCheck } from '../../src/config/edits.ts';
import { FakeClock } from '../../src/engine/clock.ts';
import { tempDir } from '../servers/common.ts';

const mem = (level: number) => ({ type: 'memory', options: { level } });

describe('site', () => {
  it('runs a sequence: members in (priority, listed) order, fletchck log lines, failing names, summary', async () => {
    const t = tempDir();
    const procRoot = procFixture(t.dir, { memTotalKb: 1000000, memAvailKb: 500000, cpu: [10, 0, 10, 80, 0, 0, 0, 0] });
    const ts = await openTestSite(
      {
        checks: {
          high: { ...mem(90), priority: 2 },
          low: { ...mem(10), priority: 1 },
          seq: { type: 'sequence', options: { checks: ['high', 'low'] } },
        },
      },
      { env: { procRoot }, dir: join(t.dir, 'site') },
    );
    const s = await ts.site.runNow('seq');
    expect(s!.failState).toBe('low');
    expect(s!.log).toEqual(['low (memory): FAIL', 'Memory: 50% 1/1GiB, 0GiB Available, Target: 10%', '', 'high (memory): PASS 50%']);
    expect(ts.site.runtime.summary('seq')).toBe(' low \u26a0\ufe0f50%');
    await ts.close();
    t.cleanup();
  });

  it("notifies the log action on transitions and writes fletchck's WARNING lines", async () => {
    const t = tempDir();
    const procRoot = procFixture(t.dir, { memTotalKb: 1000000, memAvailKb: 500000, cpu: [1, 0, 1, 8, 0, 0, 0, 0] });
    const ts = await openTestSite(
      {
        actions: { note: { type: 'log' } },
        checks: { ram: { ...mem(90), actions: ['note'] } },
      },
      { env: { procRoot }, dir: join(t.dir, 'site') },
    );
    await ts.site.runNow('ram');
    writeFileSync(join(procRoot, 'meminfo'), 'MemTotal: 1000000 kB\nMemAvailable: 10000 kB\n');
    await ts.site.runNow('ram');
    await ts.site.notifier.stop();
    const lines = ts.site.siteLog.all().map((l) => l.replace(/^\S+ \S+ /, ''));
    expect(lines).toEqual([
      'ram (memory) PASS',
      'ram (memory): PASS',
      "ram (memory) Log: ['Memory: 99% 1/1GiB, 0GiB Available, Target: 90%']",
      'ram (memory) FAIL',
      'ram (memory): FAIL',
    ]);
    await ts.close();
    t.cleanup();
  });

  it('schedules checks on the site clock and records their state', async () => {
    const ts = await openTestSite({ checks: { root: { type: 'disk', trigger: { interval: { minutes: 5 } } } } });
    await ts.site.start();
    expect(ts.site.nextRun('root')).toBe(ts.clock.now() + 1000);
    await ts.clock.advance(1000);
    await ts.site.runner.idle();
    expect(ts.site.state('root').lastCheck).toBe(ts.clock.now());
    expect(ts.site.store.history('root', 0, Infinity)).toHaveLength(1);
    await ts.close();
  });

  it("mutate saves atomically, applies live, and a rename keeps the check's state and references", async () => {
    const ts = await openTestSite({
      checks: {
        a: { type: 'disk', trigger: { interval: { minutes: 1 } } },
        s: { type: 'sequence', options: { checks: ['a'] } },
        d: { type: 'cpu', depends: ['a'] },
      },
    });
    await ts.site.start();
    await ts.site.runNow('a');
    const before = ts.site.state('a');
    const raw = (ts.site.loaded.doc.checks as Record<string, Record<string, unknown>>).a;
    const r = await ts.site.mutate((doc) => putCheck(doc, 'b', raw, 'a'), { renamed: [['a', 'b']] });
    expect(r.ok).toBe(true);
    expect(ts.site.state('b')).toEqual(before);
    expect(ts.site.entry('a')).toBeUndefined();
    const file = ts.file() as { checks: Record<string, { options: { checks?: string[] }; depends: string[] }> };
    expect(Object.keys(file.checks)).toEqual(['b', 's', 'd']);
    expect(file.checks.s.options.checks).toEqual(['b']);
    expect(file.checks.d.depends).toEqual(['b']);
    expect(ts.site.nextRun('a')).toBeNull();
    expect(ts.site.nextRun('b')).not.toBeNull();
    expect(ts.site.store.history('b', 0, Infinity)).toHaveLength(1);
    await ts.close();
  });

  it('mutate refuses an edit that adds errors and keeps the file as it was', async () => {
    const ts = await openTestSite({ checks: { a: { type: 'disk' } } });
    const before = readFileSync(ts.path, 'utf8');
    const r = await ts.site.mutate((doc) => putCheck(doc, 'a', { type: 'disk', trigger: { cron: { hour: 99 } } }));
    expect(r.ok).toBe(false);
    expect(r.issues.map((i) => i.message)).toEqual(['"99" is out of range 0-23']);
    expect(readFileSync(ts.path, 'utf8')).toBe(before);
    await ts.close();
  });

  it('deleting a check unschedules it, drops its state and removes references', async () => {
    const ts = await openTestSite({ checks: { a: { type: 'disk', trigger: { interval: { minutes: 1 } } }, d: { type: 'cpu', depends: ['a'] } } });
    await ts.site.start();
    expect((await ts.site.mutate((doc) => deleteCheck(doc, 'a'))).ok).toBe(true);
    expect(ts.site.nextRun('a')).toBeNull();
    expect((ts.file() as { checks: Record<string, { depends: string[] }> }).checks.d.depends).toEqual([]);
    await ts.close();
  });

  it('SIGHUP-style reload applies a changed file and refuses a broken one', async () => {
    const ts = await openTestSite({ checks: { a: { type: 'disk' } } });
    await ts.site.start();
    const doc = ts.file() as { checks: Record<string, unknown> };
    doc.checks.b = { type: 'cpu', trigger: { interval: { minutes: 1 } } };
    writeFileSync(ts.path, JSON.stringify(doc));
    await ts.site.reload();
    expect(ts.site.nextRun('b')).not.toBeNull();
    writeFileSync(ts.path, '{ broken');
    const issues = await ts.site.reload();
    expect(issues[0].message).toMatch(/invalid JSON/);
    expect(ts.site.entry('b')).toBeDefined();
    await ts.close();
  });

  it("state survives a restart; the file's data seeds only checks the store does not know", async () => {
    const t = tempDir();
    const ts = await openTestSite(
      { checks: { a: { type: 'disk' }, b: { type: 'disk', data: { failState: false, failCount: 0, level: '5%', log: ['from file'] } } } },
      { dir: t.dir },
    );
    await ts.site.runNow('a');
    const a = ts.site.state('a');
    await ts.site.stop();
    const doc = JSON.parse(readFileSync(ts.path, 'utf8')) as { checks: Record<string, { data: Record<string, unknown> }> };
    doc.checks.a.data = { failState: true, failCount: 99, log: ['stale file data'] };
    writeFileSync(ts.path, JSON.stringify(doc));
    const again = await openSite({ configPath: ts.path, clock: new FakeClock() });
    expect(again.state('a')).toEqual(a);
    expect(again.state('b').log).toEqual(['from file']);
    await again.stop();
    t.cleanup();
  });
});
