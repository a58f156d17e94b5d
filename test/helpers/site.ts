/**
 * Opening a real Site on a temp site file with a fake clock and no jitter.
 */
import { openSite } from '../../src/wiring.ts';
import { writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Site, type SiteOptions } from '../../src/site.ts';
import { FakeClock } from '../../src/engine/clock.ts';
import { tempDir } from '../servers/common.ts';

export interface TestSite {
  site: Site;
  clock: FakeClock;
  dir: string;
  path: string;
  file(): Record<string, unknown>;
  close(): Promise<void>;
}

export function writeSite(dir: string, doc: Record<string, unknown>, name = 'site.json'): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ scheduler: { jitter: 0 }, ...doc }, null, 1));
  return path;
}

export async function openTestSite(doc: Record<string, unknown>, opts: Partial<SiteOptions> & { dir?: string } = {}): Promise<TestSite> {
  const t = opts.dir ? { dir: opts.dir, cleanup: () => undefined } : tempDir('sw-site-');
  mkdirSync(t.dir, { recursive: true });
  const path = writeSite(t.dir, doc);
  const clock = (opts.clock as FakeClock | undefined) ?? new FakeClock();
  const site = await openSite({ configPath: path, clock, ...opts });
  return {
    site,
    clock,
    dir: t.dir,
    path,
    file: () => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>,
    close: async () => {
      await site.stop();
      t.cleanup();
    },
  };
}

/** A /proc fixture with meminfo and stat. */
export function procFixture(dir: string, o: { memTotalKb: number; memAvailKb: number; cpu: number[] }): string {
  const root = join(dir, 'proc');
  mkdirSync(root, { recursive: true });
  writeFileSync(
    join(root, 'meminfo'),
    `MemTotal:       ${o.memTotalKb} kB\nMemFree:        ${Math.floor(o.memAvailKb / 2)} kB\nMemAvailable:   ${o.memAvailKb} kB\nBuffers:        1000 kB\nCached:         ${Math.floor(o.memAvailKb / 3)} kB\nSReclaimable:   100 kB\n`,
  );
  writeFileSync(join(root, 'stat'), `cpu  ${o.cpu.join(' ')}\ncpu0 ${o.cpu.join(' ')}\n`);
  return root;
}
