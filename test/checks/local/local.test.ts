/**
 * disk, memory and cpu (spec §4.9–§4.11) with fixture /proc trees and the
 * real root file system, through a real Site.
 */
import { describe, it, expect } from 'vitest';
import { writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { usageOf } from '../../../src/checks/disk/index.ts';
import { percentLevel } from '../../../src/checks/shared/format.ts';
import { join } from 'node:path';
import { openTestSite, procFixture } from '../../helpers/site.ts';
import { tempDir } from '../../servers/common.ts';

describe('local checks', () => {
  it("memory: fletchck's line, level and metrics; hysteresis keeps a failing check failing", async () => {
    const t = tempDir();
    const procRoot = procFixture(t.dir, { memTotalKb: 16 * 1024 * 1024, memAvailKb: 4 * 1024 * 1024, cpu: [0, 0, 0, 1, 0, 0, 0, 0] });
    const ts = await openTestSite({ checks: { ram: { type: 'memory', options: { level: 74, hysteresis: 5 } } } }, { env: { procRoot }, dir: join(t.dir, 's') });
    let s = (await ts.site.runNow('ram'))!;
    // new checks start failing: 75% is not below 74 − 5
    expect(s.failState).toBe(true);
    expect(s.level).toBe('75%');
    expect(s.log[0]).toMatch(/^Memory: 75% \d+\/16GiB, 4GiB Available, Target: 74%$/);
    expect(s.metrics.find((m) => m.name === 'used_percent')?.value).toBe(75);
    writeFileSync(join(procRoot, 'meminfo'), `MemTotal: ${16 * 1024 * 1024} kB\nMemAvailable: ${6 * 1024 * 1024} kB\n`);
    s = (await ts.site.runNow('ram'))!;
    expect(s.failState).toBe(false);
    expect(s.level).toBe('62%');
    await ts.close();
    t.cleanup();
  });

  it('cpu: busy share between two samples, the first run waits without blocking', async () => {
    const t = tempDir();
    const procRoot = procFixture(t.dir, { memTotalKb: 1, memAvailKb: 1, cpu: [100, 0, 100, 800, 0, 0, 0, 0] });
    const ts = await openTestSite({ checks: { load: { type: 'cpu', options: { level: 50 } } } }, { env: { procRoot }, dir: join(t.dir, 's') });
    const run = ts.site.runNow('load');
    // wait until the check took its first sample and sleeps (the run's timeout timer and the sleep's)
    while (ts.clock.pending() < 2) await new Promise((r) => setTimeout(r, 5));
    writeFileSync(join(procRoot, 'stat'), 'cpu  160 0 140 900 0 0 0 0\n');
    await ts.clock.advance(1000);
    const s = (await run)!;
    expect(s.log).toEqual(['CPU: 50%, Target: 50%']);
    expect(s.level).toBe('50%');
    writeFileSync(join(procRoot, 'stat'), 'cpu  170 0 140 990 0 0 0 0\n');
    const s2 = (await ts.site.runNow('load'))!;
    expect(s2.log).toEqual(['CPU: 10%, Target: 50%']);
    expect(s2.failState).toBe(false);
    await ts.close();
    t.cleanup();
  });

  it("disk: level is used/total as fletchck computes it (spec §4.9), not df's used/(used+available)", async () => {
    // the figures of a volume where the two differ (5 % reserved blocks and more): fletchck " 9%", df 24%
    const u = usageOf({ blocks: 66_053_021, bfree: 59_785_992, bavail: 20_330_699, bsize: 4096 });
    expect(u.percent).toBeCloseTo(9.488, 3);
    expect(percentLevel(u.percent)).toBe(' 9%');
    expect(u.dfPercent).toBeCloseTo(23.56, 2);
    // the real root file system against statvfs as coreutils reads it
    const [blocks, bfree, bavail] = execFileSync('stat', ['-f', '-c', '%b %f %a', '/'], { encoding: 'utf8' }).trim().split(' ').map(Number);
    const want = ((blocks - bfree) / blocks) * 100;
    const ts = await openTestSite({
      checks: { root: { type: 'disk', options: { level: 100 } }, strict: { type: 'disk', options: { level: Math.floor(want) + 1, hysteresis: 0 } } },
    });
    const s = (await ts.site.runNow('root'))!;
    expect(Number(s.level!.replace('%', ''))).toBeCloseTo(want, -0.5);
    expect(s.log[0]).toMatch(new RegExp(`^/: ${String(Math.round(want)).padStart(2)}% `));
    const used = s.metrics.find((m) => m.name === 'used_percent')!.value;
    expect(used).toBeCloseTo(want, 0);
    expect(s.metrics.find((m) => m.name === 'used_percent_df')!.value).toBeCloseTo(((blocks - bfree) / (blocks - bfree + bavail)) * 100, 0);
    // a level just above fletchck's figure passes, whatever df says
    expect((await ts.site.runNow('strict'))!.failState).toBe(false);
    await ts.close();
  });

  it('disk: the real root file system, and a missing volume fails with a detail line', async () => {
    const ts = await openTestSite({
      checks: { root: { type: 'disk', options: { level: 100 } }, gone: { type: 'disk', options: { volume: '/no/such/volume' } } },
    });
    const s = (await ts.site.runNow('root'))!;
    expect(s.log[0]).toMatch(/^\/: [ \d]\d% \d+(\.\d\d)?\/\d+(\.\d\d)?(GiB|TiB), \d+(\.\d\d)?(GiB|TiB) Free, Target: 100%$/);
    expect(s.failState).toBe(false);
    const g = (await ts.site.runNow('gone'))!;
    expect(g.log).toEqual(["/no/such/volume FileNotFoundError: no such file or directory, statfs '/no/such/volume'"]);
    await ts.close();
  });
});
