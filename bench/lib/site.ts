/**
 * A siteward site in the benchmark's own process, wired as the CLI wires it
 * (outbox notifier, every service's migrations, a file database next to the
 * site file, the real clock, the CLI's heap tuning), on a temp folder.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Site, type SiteOptions, type SiteService } from '../../src/site.ts';
import * as wiring from '../../src/wiring.ts';
import { tempDir } from '../../test/servers/common.ts';
import { tuneHeap } from '../../src/util/heap.ts';

export interface BenchSite {
  site: Site;
  dir: string;
  path: string;
  /** stops the site and removes its folder (unless it was given as `dir`) */
  close(): Promise<void>;
}

export async function openBenchSite(
  doc: Record<string, unknown>,
  o: Partial<SiteOptions> & { start?: boolean; services?: SiteService[]; dir?: string; federation?: boolean } = {},
): Promise<BenchSite> {
  tuneHeap();
  const t = o.dir ? { dir: o.dir, cleanup: () => undefined } : tempDir('sw-bench-');
  const path = join(t.dir, 'site.json');
  if (!o.dir) writeFileSync(path, JSON.stringify(doc));
  const site = await wiring.openSite({ configPath: path, migrations: wiring.migrations(), notifier: wiring.notifierFactory(), ...o });
  // the MQTT federation is one of the site's parts (wiring.ts); `federation` runs it
  if (o.federation) site.use(site.federation);
  for (const s of o.services ?? []) site.use(s);
  if (o.start !== false) await site.start();
  let closed = false;
  return {
    site,
    dir: t.dir,
    path,
    close: async () => {
      if (closed) return;
      closed = true;
      await site.stop();
      t.cleanup();
    },
  };
}

/** `n` tcp checks named `<prefix><i>` with the given options and trigger. */
export function tcpChecks(
  n: number,
  prefix: string,
  options: Record<string, unknown>,
  trigger: (i: number) => Record<string, unknown> | null = () => null,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) out[`${prefix}${i}`] = { type: 'tcp', trigger: trigger(i), options };
  return out;
}
