/**
 * Each check's display state and the counts by state, kept between requests
 * (issue 22: the checks page at 10,000 checks). The header badge, the
 * summary, the filter chips and the checks list's "failing first" all ask
 * for every check's state: that was four passes over 10,000 checks per
 * page. Now one pass after a configuration change, then one check per state
 * change (the engine's `state` event, sent after each commit).
 */
import type { CheckEntry } from '../config/model.ts';
import type { WebSite } from './web-site.ts';
import { tagsOf } from '../config/tags.ts';
import { displayState, type Counts, type DisplayState } from './model.ts';

/** The filter chips' choices: each type and tag with its number of checks, and the number of remote checks. */
export interface Kinds {
  types: [string, number][];
  tags: [string, number][];
  remote: number;
}

const zero = (): Counts => ({ PASS: 0, WARN: 0, FAIL: 0, SOFTFAIL: 0, PAUSED: 0, ERROR: 0, PENDING: 0, total: 0 });

export class StateTally {
  private readonly shown = new Map<string, DisplayState>();
  private c: Counts | null = null;
  private gen: unknown = undefined;
  private kept: { gen: unknown; k: Kinds } | null = null;

  private readonly onState = (e: { name: string }): void => {
    const c = this.c;
    if (!c || this.gen !== this.site.loaded) return;
    const old = this.shown.get(e.name);
    if (old !== undefined) {
      c[old]--;
      c.total--;
      this.shown.delete(e.name);
    }
    const entry = this.site.entry(e.name);
    if (!entry) return;
    const now = displayState(this.site, entry);
    this.shown.set(e.name, now);
    c[now]++;
    c.total++;
  };

  /** paused, renamed, removed, added: counted again on the next ask */
  private readonly onConfig = (): void => {
    this.c = null;
  };

  constructor(private readonly site: Pick<WebSite, 'loaded' | 'bus' | 'entry' | 'state'>) {
    site.bus.on('state', this.onState);
    site.bus.on('config', this.onConfig);
  }

  close(): void {
    this.site.bus.off('state', this.onState);
    this.site.bus.off('config', this.onConfig);
  }

  private fresh(): Counts {
    if (this.c && this.gen === this.site.loaded) return this.c;
    const c = zero();
    this.shown.clear();
    for (const e of this.site.loaded.checks.values()) {
      const s = displayState(this.site, e);
      this.shown.set(e.config.name, s);
      c[s]++;
      c.total++;
    }
    this.gen = this.site.loaded;
    this.c = c;
    return c;
  }

  /** The checks by state (a copy). */
  counts(): Counts {
    return { ...this.fresh() };
  }

  /** The types and tags of the checks: they change only with the configuration. */
  kinds(): Kinds {
    const loaded = this.site.loaded;
    if (this.kept?.gen === loaded) return this.kept.k;
    const types = new Map<string, number>();
    const tags = new Map<string, number>();
    let remote = 0;
    for (const e of loaded.checks.values()) {
      types.set(e.config.type, (types.get(e.config.type) ?? 0) + 1);
      if (e.config.type === 'remote') remote++;
      for (const t of new Set(tagsOf(e.config.options))) tags.set(t, (tags.get(t) ?? 0) + 1);
    }
    const sorted = (m: Map<string, number>): [string, number][] => [...m].sort((a, b) => a[0].localeCompare(b[0]));
    const k = { types: sorted(types), tags: sorted(tags), remote };
    this.kept = { gen: loaded, k };
    return k;
  }

  /** A check's state as the list shows it. */
  display(e: CheckEntry): DisplayState {
    this.fresh();
    return this.shown.get(e.config.name) ?? displayState(this.site, e);
  }
}
