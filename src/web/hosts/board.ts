/**
 * The hosts view's one object per web server (src/web/app.ts): the host
 * index kept between requests, the tile history reader, and the narrow
 * HostSource it reads the site and the federation through.
 */
import type { WebSite } from '../web-site.ts';
import type { FederationView } from '../../federation/mqtt.ts';
import { MetricCodec } from '../../store/history.ts';
import type { MemberView } from '../../zone/members.ts';
import { displayState } from '../model.ts';
import { buildHost, HostIndex, sortHosts, type HostSource, type HostVM } from './model.ts';
import { HostSeries, type TileSeries } from './series.ts';
import { NasMemory } from './nas.ts';
import { RemoteRing } from './remote-ring.ts';
import type { SparkSample } from './spark.ts';
import { SPAN } from './series.ts';

/** What one page or live batch reads once. */
interface Pass {
  now: number;
  /** the roll-up watermark */
  w: number | null;
  members: MemberView[];
}

/** Tile histories kept at most (a site with more host checks reads the rest each time). */
const CACHE_MAX = 20_000;

export function hostSource(site: WebSite, federation: Pick<FederationView, 'isRunning' | 'instance' | 'remoteInfo'> | null): HostSource {
  const running = (): boolean => federation?.isRunning === true;
  const nas = new NasMemory(site.bus);
  return {
    self: () => (running() ? federation!.instance : null) ?? site.zone?.node ?? site.name,
    generation: () => site.loaded,
    checks: () => [...site.loaded.checks.values()].map((e) => e.config),
    config: (name) => site.entry(name)?.config,
    options: (name) => site.entry(name)?.opts ?? null,
    state: (name) => site.state(name),
    display: (name) => {
      const e = site.entry(name);
      return e ? displayState(site, e) : 'PENDING';
    },
    origin: (name) => (running() ? federation!.remoteInfo(name) : { instance: null, offline: null, topic: null }),
    members: () => site.zone?.members() ?? [],
    now: () => site.clock.now(),
    nas: (name) => nas.get(name),
    close: () => nas.close(),
  };
}

export class HostBoard {
  readonly index: HostIndex;
  private readonly series: HostSeries;
  /**
   * A tile's history changes only with a new run of its check or when roll-up
   * moves the watermark: kept per check under that pair, so a page or a live
   * card reads SQLite only for the checks that ran since (docs/performance.md).
   */
  private readonly cache = new Map<string, { key: string; s: TileSeries }>();
  private gen: unknown = undefined;
  /** federated checks' recent values (their updates are not stored as runs) */
  private readonly remote: RemoteRing;

  constructor(
    private readonly src: HostSource,
    site: Pick<WebSite, 'db' | 'store' | 'bus'>,
  ) {
    this.index = new HostIndex(src);
    this.series = new HostSeries(site.db, site.store, new MetricCodec(site.db));
    this.remote = new RemoteRing(site.bus, () => src.now());
  }

  private card(key: string, names: ReadonlySet<string>, p: Pass): HostVM {
    return buildHost(this.src, key, names, (check) => this.tile(check, p.now, p.w), p.members);
  }

  private tile(check: string, now: number, w: number | null): TileSeries {
    const key = `${w}|${this.src.state(check).lastCheck}|${this.remote.stamp(check)}`;
    const hit = this.cache.get(check);
    if (hit && hit.key === key) return hit.s;
    const s = withRemote(this.series.read(check, now, w), this.remote.read(check, now - SPAN, now));
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(check, { key, s });
    return s;
  }

  /** Once per page or batch: the configuration (renamed or removed checks), the time, the watermark and the zone's nodes. */
  private begin(): Pass {
    const g = this.src.generation();
    if (g !== this.gen) {
      this.gen = g;
      this.cache.clear();
    }
    return { now: this.src.now(), w: this.series.watermark(), members: this.src.members() };
  }

  close(): void {
    this.src.close?.();
    this.remote.close();
  }

  /** Every host's card, in page order. */
  all(): HostVM[] {
    const p = this.begin();
    return sortHosts([...this.index.hosts(p.members)].map(([k, names]) => this.card(k, names, p)));
  }

  /** The cards these checks touch; null when the set of hosts changed (the page redraws every card). */
  changed(checks: Iterable<string>): HostVM[] | null {
    const t = this.index.touched(checks);
    if (t.hostsChanged) return null;
    const p = this.begin();
    const hosts = this.index.hosts(p.members);
    return [...t.keys].flatMap((k) => {
      const names = hosts.get(k);
      return names ? [this.card(k, names, p)] : [];
    });
  }
}

/** A tile's stored history with a federated check's remembered values in the 5-minute slots the store has nothing for. */
export function withRemote(s: TileSeries, r: { samples: SparkSample[]; unit: string } | null): TileSeries {
  if (!r) return s;
  const have = new Set(s.samples.map((x) => x.t));
  const add = r.samples.filter((x) => !have.has(x.t));
  if (!add.length) return s;
  return { samples: [...s.samples, ...add].sort((a, b) => a.t - b.t), unit: s.unit || r.unit };
}
