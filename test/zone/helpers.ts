/**
 * In-process zone nodes for the zone tests: a site with the zone service in
 * a temp folder, on a real broker.
 */
import { openSite } from '../../src/wiring.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Site, SiteOptions } from '../../src/site.ts';
import type { ZoneService } from '../../src/zone/service.ts';
import { tempDir } from '../servers/common.ts';
import { createOutbox } from '../../src/actions/outbox/site.ts';
import { OUTBOX_MIGRATIONS } from '../../src/actions/outbox/store.ts';

export interface ZoneNode {
  name: string;
  site: Site;
  zone: ZoneService;
  stop(): Promise<void>;
}

export async function openZoneNode(
  name: string,
  port: number,
  doc: Record<string, unknown>,
  o: {
    dir?: string;
    keep?: boolean;
    write?: boolean;
    /** the site's database file (default: in memory) */
    db?: string;
    /** the durable outbox, as the daemon runs it (default: the direct notifier) */
    outbox?: boolean;
    migrations?: SiteOptions['migrations'];
    log?: SiteOptions['log'];
  } = {},
): Promise<ZoneNode & { dir: string }> {
  const t = o.dir ? { dir: o.dir, cleanup: () => undefined } : tempDir(`swz-${name}-`);
  const { dir } = t;
  const cleanup = o.keep ? () => undefined : t.cleanup;
  const configPath = join(dir, 'site.json');
  if (o.write !== false)
    writeFileSync(configPath, JSON.stringify({ scheduler: { jitter: 0 }, mqtt: { hostname: '127.0.0.1', port, statustopic: null }, ...doc }, null, 1));
  const site = await openSite({
    configPath,
    dbPath: o.db ?? ':memory:',
    random: () => 0,
    node: name,
    migrations: o.outbox ? [...(o.migrations ?? []), OUTBOX_MIGRATIONS] : o.migrations,
    notifier: o.outbox ? createOutbox : undefined,
    log: o.log,
  });
  const zone = site.zoneService;
  site.use(zone);
  await site.start();
  let stopped = false;
  return {
    name,
    dir,
    site,
    zone,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await site.stop();
      cleanup();
    },
  };
}

/** `count` https checks with no trigger (ownership only; nothing runs). */
export function someChecks(count: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) out[`web ${i}`] = { type: 'https', options: { hostname: '127.0.0.1' } };
  return out;
}
