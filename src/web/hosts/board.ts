/**
 * The hosts view's one object per web server (src/web/app.ts): the host
 * index kept between requests, the tile history reader, and the narrow
 * HostSource it reads the site and the federation through.
 */
import type { Site } from '../../site.ts';
import type { FederationView } from '../../federation/mqtt.ts';
import { MetricCodec } from '../../store/history.ts';
import { displayState } from '../model.ts';
import { buildHost, HostIndex, sortHosts, type HostSource, type HostVM } from './model.ts';
import { HostSeries } from './series.ts';

export function hostSource(site: Site, federation: Pick<FederationView, 'isRunning' | 'instance' | 'remoteInfo'> | null): HostSource {
  const running = (): boolean => federation?.isRunning === true;
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
  };
}

export class HostBoard {
  readonly index: HostIndex;
  private readonly series: HostSeries;

  constructor(
    private readonly src: HostSource,
    site: Pick<Site, 'db' | 'store'>,
  ) {
    this.index = new HostIndex(src);
    this.series = new HostSeries(site.db, site.store, new MetricCodec(site.db));
  }

  private card(key: string, names: ReadonlySet<string>, now: number): HostVM {
    return buildHost(this.src, key, names, (check) => this.series.read(check, now));
  }

  /** Every host's card, in page order. */
  all(): HostVM[] {
    const now = this.src.now();
    return sortHosts([...this.index.hosts()].map(([k, names]) => this.card(k, names, now)));
  }

  /** The cards these checks touch; null when the set of hosts changed (the page redraws every card). */
  changed(checks: Iterable<string>): HostVM[] | null {
    const t = this.index.touched(checks);
    if (t.hostsChanged) return null;
    const hosts = this.index.hosts();
    const now = this.src.now();
    return [...t.keys].flatMap((k) => {
      const names = hosts.get(k);
      return names ? [this.card(k, names, now)] : [];
    });
  }
}
