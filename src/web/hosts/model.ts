/**
 * The hosts view's model (issue 22 "Hosts"): which host each check belongs
 * to and one card per host — this instance (every local check), each
 * federated instance that sends checks over MQTT (by the instance its
 * messages name; a fletchck peer, which names none, by its topic) and each
 * node of an HA zone. A card carries the host's checks summarised, live
 * tiles for its cpu, memory, disk, temp, net and ups checks, its state and
 * when it was last heard from. A host that sends nothing is "silent", never
 * PASS (an instance announced offline, or no update for SILENT_MS / its
 * checks' own timeout).
 *
 * Grouping is done once and kept (HostIndex): a run or a state change moves
 * only its own check; the index is rebuilt when the configuration changes.
 */
import type { CheckState } from '../../engine/state.ts';
import type { CheckConfig } from '../../config/model.ts';
import type { MemberView } from '../../zone/members.ts';
import type { DisplayState } from '../model.ts';
import { poolsOf, type NasAlertVM, type PoolVM } from './pools.ts';
import type { NasSummary } from '../../checks/truenas/topology.ts';
import type { SparkSample } from './spark.ts';

/** Check types that measure a host, in tile order. */
export const HOST_TYPES = ['cpu', 'memory', 'disk', 'temp', 'net', 'ups'] as const;
export type HostType = (typeof HOST_TYPES)[number];
/** Tiles on one card; the rest are counted ("and 3 more"). */
export const MAX_TILES = 12;
/** A federated host with no update for this long (and no shorter remote `timeout`) is silent. */
export const SILENT_MS = 10 * 60_000;

const TYPE_WORDS: Record<HostType, string> = { cpu: 'CPU', memory: 'Memory', disk: 'Disk', temp: 'Temperature', net: 'Network', ups: 'UPS' };

/** What the hosts view reads (a narrow view of the site and its federation; src/web/hosts/board.ts builds it). */
export interface HostSource {
  /** this instance's name (the MQTT instance, the zone node, or the site's name) */
  self(): string;
  /** changes whenever the configuration does */
  generation(): unknown;
  checks(): Iterable<CheckConfig>;
  config(name: string): CheckConfig | undefined;
  /** a check's options with their defaults (null when they are invalid) */
  options(name: string): Record<string, unknown> | null;
  state(name: string): CheckState;
  display(name: string): DisplayState;
  /** where a remote check's messages come from (nulls when not known, or without MQTT) */
  origin(name: string): { instance: string | null; offline: string | null; topic: string | null };
  /** the HA zone's nodes (empty without a zone) */
  members(): MemberView[];
  now(): number;
  /** a truenas check's last pool layout and alerts (src/web/hosts/nas.ts), null before its first run here */
  nas?(name: string): NasSummary | null;
  /** stops listening to the site */
  close?(): void;
}

export type HostRole = 'this instance' | 'federated instance' | 'zone node' | 'fletchck peer';

export interface TileVM {
  check: string;
  type: HostType;
  label: string;
  /** the check's level as it reports it (" 42%", "41.5°C"), or null */
  value: string | null;
  state: DisplayState;
  /** the sparkline's samples (5-minute averages) and unit; empty without history */
  spark: SparkSample[];
  unit: string;
}

export interface HostVM {
  key: string;
  name: string;
  role: HostRole;
  /** the card's colour: the worst state of its checks; SILENT overrides */
  state: DisplayState | 'SILENT';
  /** why the host counts as silent, null when it is not */
  silent: string | null;
  /** last heard from (ms), null: never */
  lastSeen: number | null;
  counts: Partial<Record<DisplayState, number>>;
  total: number;
  tiles: TileVM[];
  /** host checks beyond MAX_TILES */
  moreTiles: number;
  pools: PoolVM[];
  /** the TrueNAS checks' active alerts */
  alerts: NasAlertVM[];
  /** a zone node's own figures */
  zone: { status: 'up' | 'down'; checks: number; version: string | null } | null;
  /** the /checks filter that lists the host's checks (this instance's: `instance=local`); null when /checks has none for it */
  filter: string | null;
}

const SEVERITY: (DisplayState | 'SILENT')[] = ['FAIL', 'ERROR', 'SOFTFAIL', 'SILENT', 'WARN', 'PENDING', 'PAUSED', 'PASS'];

export function worst(states: Iterable<DisplayState | 'SILENT'>): DisplayState | 'SILENT' | null {
  let best: number | null = null;
  for (const s of states) {
    const i = SEVERITY.indexOf(s);
    if (best === null || i < best) best = i;
  }
  return best === null ? null : SEVERITY[best];
}

export function hostKey(kind: 'self' | 'host' | 'topic', name: string): string {
  return kind === 'self' ? 'self' : `${kind === 'host' ? 'h' : 't'}:${name}`;
}

/** Which card a check belongs to. */
export function keyOf(src: HostSource, c: CheckConfig): string {
  if (c.type !== 'remote') return hostKey('self', '');
  const o = src.origin(c.name);
  if (o.instance !== null) return o.instance === src.self() ? hostKey('self', '') : hostKey('host', o.instance);
  return hostKey('topic', o.topic ?? 'unknown');
}

/** Host → its checks, kept between requests and moved check by check. */
export class HostIndex {
  private gen: unknown = undefined;
  private readonly byName = new Map<string, string>();
  private readonly byKey = new Map<string, Set<string>>();

  constructor(private readonly src: HostSource) {}

  /** The hosts and their checks (zone nodes without checks have an empty set); `members`: the zone's nodes, read once per page. */
  hosts(members: readonly MemberView[] = this.src.members()): ReadonlyMap<string, ReadonlySet<string>> {
    this.fresh();
    const out = new Map(this.byKey);
    for (const m of members) {
      const k = m.name === this.src.self() ? hostKey('self', '') : hostKey('host', m.name);
      if (!out.has(k)) out.set(k, new Set());
    }
    if (!out.has('self')) out.set('self', new Set());
    return out;
  }

  /**
   * The cards these checks touch (their host now and, when a check moved,
   * the host it left), and whether the set of hosts changed.
   */
  touched(names: Iterable<string>): { keys: Set<string>; hostsChanged: boolean } {
    if (this.fresh()) return { keys: new Set(), hostsChanged: true };
    const keys = new Set<string>();
    let hostsChanged = false;
    for (const name of names) {
      const c = this.src.config(name);
      const was = this.byName.get(name);
      const now = c ? keyOf(this.src, c) : undefined;
      if (was !== undefined) keys.add(was);
      if (now !== undefined) keys.add(now);
      if (was === now) continue;
      if (was !== undefined) {
        const set = this.byKey.get(was)!;
        set.delete(name);
        if (set.size === 0) {
          this.byKey.delete(was);
          hostsChanged = true;
        }
        this.byName.delete(name);
      }
      if (now !== undefined) {
        if (!this.byKey.has(now)) hostsChanged = true;
        this.add(name, now);
      }
    }
    return { keys, hostsChanged };
  }

  /** Rebuilds after a configuration change; true when it did. */
  private fresh(): boolean {
    const g = this.src.generation();
    if (g === this.gen) return false;
    this.gen = g;
    this.byName.clear();
    this.byKey.clear();
    for (const c of this.src.checks()) this.add(c.name, keyOf(this.src, c));
    return true;
  }

  private add(name: string, key: string): void {
    this.byName.set(name, key);
    let set = this.byKey.get(key);
    if (!set) this.byKey.set(key, (set = new Set()));
    set.add(name);
  }
}

function tileLabel(c: CheckConfig, type: HostType): string {
  const o = c.options;
  const what = type === 'disk' ? o.volume : type === 'net' ? o.interface : type === 'ups' ? o.upsName : type === 'temp' ? o.label : undefined;
  return typeof what === 'string' && what !== '' ? `${TYPE_WORDS[type]} ${what}` : TYPE_WORDS[type];
}

function hostType(c: CheckConfig): HostType | null {
  const t = c.type === 'remote' ? (c.subType ?? '') : c.type;
  return (HOST_TYPES as readonly string[]).includes(t) ? (t as HostType) : null;
}

/** One host's card. `spark` reads a tile's history (only for the tiles shown); `members`: the zone's nodes, read once per page (a zone counts each node's checks). */
export function buildHost(
  src: HostSource,
  key: string,
  names: ReadonlySet<string>,
  spark: (check: string) => { samples: SparkSample[]; unit: string },
  members: readonly MemberView[] = src.members(),
): HostVM {
  const now = src.now();
  const self = key === 'self';
  const name = self ? src.self() : key.slice(2);
  const member = members.find((m) => m.name === name) ?? null;
  const counts: Partial<Record<DisplayState, number>> = {};
  const host: { c: CheckConfig; type: HostType }[] = [];
  const pools: PoolVM[] = [];
  const alerts: NasAlertVM[] = [];
  let lastSeen: number | null = self ? now : (member?.heardAt ?? null);
  let offline: string | null = null;
  let timeout = Infinity;
  for (const n of names) {
    const c = src.config(n);
    if (!c) continue;
    const d = src.display(n);
    counts[d] = (counts[d] ?? 0) + 1;
    const t = hostType(c);
    if (t) host.push({ c, type: t });
    if (c.type === 'truenas') {
      const nas = src.nas?.(n) ?? null;
      pools.push(...poolsOf(n, src.state(n), c.options, nas));
      if (nas)
        alerts.push(...nas.alerts.map((a) => ({ check: n, ...a })), ...(nas.moreAlerts ? [{ check: n, level: '', text: `and ${nas.moreAlerts} more` }] : []));
    }
    if (!self && c.type === 'remote') {
      const s = src.state(n);
      if (s.lastUpdate !== null) lastSeen = Math.max(lastSeen ?? 0, s.lastUpdate);
      offline ??= src.origin(n).offline;
      if (typeof c.options.timeout === 'number' && c.options.timeout > 0) timeout = Math.min(timeout, c.options.timeout * 1000);
    }
  }
  let silent: string | null = null;
  if (!self) {
    const quiet = Math.min(timeout, SILENT_MS);
    if (member && member.status === 'down') silent = 'the zone node is down';
    else if (offline !== null) silent = `offline (${offline})`;
    else if (lastSeen === null) silent = 'never heard from';
    else if (now - lastSeen > quiet) silent = 'no update recently';
  }
  // by type; within a type the failing first, so the tiles cut off by MAX_TILES are never the failing ones
  const rank = (c: CheckConfig): number => SEVERITY.indexOf(src.display(c.name));
  host.sort((a, b) => HOST_TYPES.indexOf(a.type) - HOST_TYPES.indexOf(b.type) || rank(a.c) - rank(b.c) || a.c.name.localeCompare(b.c.name));
  const tiles: TileVM[] = host.slice(0, MAX_TILES).map(({ c, type }) => {
    const s = spark(c.name);
    return {
      check: c.name,
      type,
      label: tileLabel(c, type),
      value: src.state(c.name).level?.trim() || null,
      state: src.display(c.name),
      spark: s.samples,
      unit: s.unit,
    };
  });
  const total = Object.values(counts).reduce((a, b) => a + (b ?? 0), 0);
  const role: HostRole = self ? 'this instance' : member ? 'zone node' : key.startsWith('t:') ? 'fletchck peer' : 'federated instance';
  // a zone node that is up and has no checks here is fine; any other host without checks is not known to be
  const state = silent !== null ? 'SILENT' : (worst(Object.keys(counts) as DisplayState[]) ?? (member?.status === 'up' ? 'PASS' : 'PENDING'));
  return {
    key,
    name,
    role,
    state,
    silent,
    lastSeen,
    counts,
    total,
    tiles,
    moreTiles: Math.max(0, host.length - MAX_TILES),
    pools,
    alerts,
    zone: member ? { status: member.status, checks: member.checks, version: member.version } : null,
    filter: self ? 'instance=local' : null,
  };
}

/** Cards in page order: this instance first, then silent and failing hosts, then by name. */
export function sortHosts(hosts: HostVM[]): HostVM[] {
  const rank = (h: HostVM): number => (h.key === 'self' ? -1 : SEVERITY.indexOf(h.state));
  return hosts.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}
