/**
 * The at-a-glance figures kept between requests (issue 22: the checks page
 * at 10,000 checks in < 150 ms). A check's heartbeat bar changes only when
 * it runs (the engine's `run` event, sent after the commit that wrote the
 * run) or when roll-up moves the watermark (hours leave the raw runs); its
 * uptime also slides with the clock, so it is re-read at most once a minute.
 * A page reads SQLite only for the rows whose check ran since the last page
 * (docs/performance.md, "The checks page").
 */
import { glance, type GlanceSource, type GlanceVM } from './glance.ts';
import { uptimes } from './history.ts';
import type { SiteBus } from '../engine/events.ts';

/** How long a row's uptime figures are reused: 24 h / 7 d / 30 d move < 0.07 % of their span in a minute. */
export const UPTIME_FRESH_MS = 60_000;

/** Rows kept at most, ~2.5 KB each (ten pages of 200 rows; paging further starts the memory over). */
const CACHE_MAX = 2_000;

export interface GlanceCacheSource extends GlanceSource {
  store: GlanceSource['store'] & { rolledUntil(): number | null };
}

interface Kept {
  key: string;
  g: GlanceVM;
  /** when its uptime was read */
  at: number;
}

export class GlanceCache {
  private readonly kept = new Map<string, Kept>();

  /** a check renamed, removed or re-configured (its zone, its history's name) is read again */
  private readonly onRun = (e: { name: string }): void => {
    this.kept.delete(e.name);
  };

  private readonly onConfig = (e: { changed: string[]; removed: string[]; renamed: [string, string][] }): void => {
    for (const n of [...e.changed, ...e.removed, ...e.renamed.flat()]) this.kept.delete(n);
  };

  constructor(
    private readonly src: GlanceCacheSource,
    private readonly bus: Pick<SiteBus, 'on' | 'off'>,
  ) {
    bus.on('run', this.onRun);
    bus.on('config', this.onConfig);
  }

  close(): void {
    this.bus.off('run', this.onRun);
    this.bus.off('config', this.onConfig);
  }

  /** A check's figures: from memory unless it ran, the watermark moved, or its uptime is older than a minute. */
  get(name: string, zone: string | null): GlanceVM {
    const key = `${this.src.store.rolledUntil()}|${zone}`;
    const now = this.src.clock.now();
    const hit = this.kept.get(name);
    if (hit && hit.key === key) {
      if (now - hit.at < UPTIME_FRESH_MS && now >= hit.at) return hit.g;
      hit.g = { ...hit.g, uptime: uptimes(this.src, name) };
      hit.at = now;
      return hit.g;
    }
    const g = glance(this.src, name, zone);
    if (this.kept.size >= CACHE_MAX) this.kept.clear();
    this.kept.set(name, { key, g, at: now });
    return g;
  }
}
