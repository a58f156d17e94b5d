/**
 * The zone service (issue 23, docs/ha.md): membership over the site's MQTT
 * broker with plain MQTT 3.1.1 (retained status, last will, QoS 1), so
 * Mosquitto and a NATS cluster's MQTT listener both work. It has its own
 * connection (its own will), next to the federation's, and installs the
 * site's ZoneHook: who runs a check and who notifies.
 */
import { createHash } from 'node:crypto';
import type { IPublishPacket, MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { SiteService } from '../site-service.ts';
import type { Notification } from '../actions/types.ts';
import type { TimerHandle } from '../engine/clock.ts';
import { VERSION } from '../version.ts';
import { resolveSettings } from '../federation/options.ts';
import { loadMqtt } from '../federation/mqtt-lib.ts';
import { zoneKeepalive, zoneTopics, type ZoneConfig } from './config.ts';
import { Members, decodeStatus, type MemberView, type NodeStatus } from './members.ts';
import { ownerOf, type Placement, type ZoneView } from './ownership.ts';
import { Roster } from './roster.ts';
import type { ZoneHook, ZoneNotify } from './hook.ts';
import { startReplication, type Replication } from './replication.ts';
import { zoneClientOptions } from './link.ts';
import { Hearing } from './hearing.ts';
import type { ConfigProblem } from './config-hearing.ts';
import { closeClient, within, STOP_GRACE_MS } from '../federation/close.ts';
import { ZoneNotifications } from './notify.ts';
import type { Doubt } from './notified.ts';
import { zoneGuard, type ZoneGuard, type ZoneTrust } from './guard.ts';
import type { ZoneDeps, ZoneServiceOptions } from './deps.ts';

export type { ZoneDeps, ZoneServiceOptions } from './deps.ts';

export class ZoneService implements SiteService, ZoneHook {
  readonly name = 'zone';
  readonly node: string;
  /** the site, from start() while this node is configured for a zone */
  private site: ZoneDeps | null = null;
  /** in a zone: the engine asks this hook (hook()) */
  private joined = false;
  private cfg: ZoneConfig | null = null;
  private client: MqttClient | null = null;
  /** the membership as this node sees it, the cached candidates, the expiry timer (roster.ts) */
  private roster: Roster;
  private startedAt = 0;
  private heartbeat: TimerHandle | null = null;
  private log: Logger | null = null;
  /** who notifies, the notified records (notify.ts) */
  private notify: ZoneNotifications | null = null;
  private ready = false;
  /** config and state replication (replication.ts) */
  private repl: Replication | null = null;
  /** connected, and our "up" status came back to us (we hear the zone: hearing.ts) */
  connected = false;
  private hearing = new Hearing(30_000, 3);

  /** `deps`: what the zone uses of the site (wiring.ts builds it). */
  constructor(
    o: ZoneServiceOptions,
    private readonly deps: ZoneDeps,
  ) {
    this.node = o.node;
    this.roster = new Roster({ self: this.node, table: new Members(), clock: null, startedAt: 0, graceMs: null, log: null, takeOver: () => {} });
  }

  private get table(): Members {
    return this.roster.table;
  }

  /** The hook the engine asks (the scheduler, the commit): this service while it is in a zone, else null (everything runs here). */
  hook(): ZoneHook | null {
    return this.joined ? this : null;
  }

  get zone(): string {
    return this.cfg?.name ?? '';
  }

  async start(): Promise<void> {
    const site = this.deps;
    const cfg = site.settings.zone;
    if (!cfg) return;
    this.site = site;
    this.log = site.log.child({ zone: cfg.name, node: this.node });
    if (!site.settings.mqtt || site.settings.mqtt.hostname === '') {
      site.warn(`zone ${cfg.name}: no MQTT broker (the mqtt section) — this node runs every check alone`);
      return;
    }
    this.cfg = cfg;
    this.startedAt = site.clock.now();
    this.roster = new Roster({
      self: this.node,
      table: new Members(cfg.misses),
      clock: site.clock,
      startedAt: this.startedAt,
      graceMs: cfg.grace * 1000,
      log: this.log,
      // once ready: the movable checks that became this node's (a membership change, or its start) are taken over now
      takeOver: () => this.notify?.takeOver(site.loaded.checks.keys()),
    });
    // deaf: no echo of its own status for misses + 1 heartbeats, and at least 5 s (a slow broker on a busy machine is not deaf)
    this.hearing = new Hearing(Math.max(5000, (cfg.misses + 1) * cfg.heartbeat * 1000), cfg.misses + 1);
    this.joined = true;
    const m = resolveSettings(site.settings.mqtt, site);
    if (m.error) {
      site.warn(`zone ${cfg.name}: ${m.error} — this node runs every check alone`);
      return;
    }
    // zone.key: every message of the zone sealed and verified at the client (guard.ts, docs/ha.md "Trust")
    const guard = await zoneGuard(cfg, this.node, {
      base: site.base,
      now: () => site.clock.now(),
      quietMs: cfg.heartbeat * cfg.misses * 1000,
      log: this.log,
      warn: (msg, l) => site.warn(msg, l),
    });
    if ('error' in guard) {
      site.warn(`zone ${cfg.name}: ${guard.error} — this node runs every check alone`);
      return;
    }
    this.guard = guard;
    if (!guard.keyed) site.warn(`zone ${cfg.name}: ${guard.trust().warning ?? ''}`);
    const t = zoneTopics(cfg);
    const lib = await loadMqtt();
    const client = lib.connect(m.url, {
      ...zoneClientOptions(m, `sz${createHash('sha256').update(`${this.node}\n${site.configPath}`).digest('hex').slice(0, 21)}`, zoneKeepalive(cfg.heartbeat)),
      will: { topic: t.node(this.node), payload: guard.seal(t.node(this.node), this.status('down', 'connection lost')), qos: 1, retain: true },
    });
    guard.wrap(client);
    this.client = client;
    this.notify = new ZoneNotifications(site, {
      node: this.node,
      zone: cfg.name,
      heartbeatMs: cfg.heartbeat * 1000,
      log: () => this.log,
      owner: (c) => this.owner(c),
      ready: () => this.ready,
      peers: () => this.table.live(site.clock.now()).filter((n) => n !== this.node),
      doubt: () => this.doubt(),
      publish: (check, payload) => {
        this.client
          ?.publishAsync(t.notified(check), payload, { qos: 1, retain: true })
          .catch((e: unknown) => this.log?.warn({ check, err: (e as Error).message }, 'zone: notified record not sent'));
      },
    });
    this.notify.start();
    this.repl = startReplication(site, {
      node: this.node,
      log: this.log,
      client: () => this.client,
      topics: t,
      configBytes: cfg.configbytes,
      stateBytes: m.maxPayload,
      owner: (c) => this.owner(c),
    });
    client.on('connect', () => {
      this.log?.info({ server: `${client.options.host ?? m.host}:${client.options.port ?? m.port}` }, 'zone connected');
      this.hearing.connected(site.clock.now());
      client.subscribe([t.nodes, t.notifiedAll, t.config, t.stateAll], { qos: 1 }, (err) => {
        // refused (NATS: SUBACK 0x80 while its cluster has no JetStream quorum): this node would hear nobody; never
        // stay so: a heartbeat later, a new connection (another server of `mqtt.servers`) subscribes again
        if (err) {
          if (this.client !== client || !client.connected) return;
          site.warn(`zone ${cfg.name}: the broker refused this node's subscriptions (${err.message}); it hears nobody — reconnecting`);
          site.clock.setTimer(() => this.redial(client), cfg.heartbeat * 1000);
        }
        // the retained statuses and records follow the SUBACK; wait a heartbeat more for them
        else
          site.clock.setTimer(() => {
            this.ready = true;
            this.roster.changed();
            this.repl?.onReady();
          }, cfg.heartbeat * 1000);
      });
      this.beat();
    });
    client.on('close', () => {
      if (this.connected) site.warn(`zone ${cfg.name}: connection to ${m.url} lost`);
      this.connected = false;
      this.hearing.disconnected();
    });
    client.on('error', (e) => this.log?.warn({ err: e.message }, 'zone connection problem'));
    client.on('message', (topic: string, payload: Buffer, packet: IPublishPacket) => this.onMessage(topic, payload, packet.retain));
    this.roster.armExpiry();
  }

  async stop(): Promise<void> {
    this.heartbeat?.cancel();
    this.heartbeat = null;
    this.roster.stop();
    const c = this.client;
    this.client = null;
    this.joined = false;
    this.connected = false; // a clean stop is not a lost connection
    this.notify?.stop();
    // replication stops listening now; a config edit in progress may still wait for the broker, which closeClient ends
    const repl = this.repl?.stop();
    this.repl = null;
    if (c && this.cfg) {
      const down = c.connected && c.publishAsync(zoneTopics(this.cfg).node(this.node), this.status('down', 'shutdown'), { qos: 1, retain: true });
      if (down) await within(down, STOP_GRACE_MS);
      // bounded: a dead or hung broker never acknowledges what is in flight (a notified record)
      await closeClient(c, STOP_GRACE_MS);
    }
    await repl;
  }

  /** the zone's message authentication (guard.ts): null before start, or when the zone key cannot be read */
  guard: ZoneGuard | null = null;

  trust(): ZoneTrust | null {
    return this.guard?.trust() ?? null;
  }

  /** the zone config revision this node runs (config-sync.ts), null before the first */
  get configRevision(): { rev: number; hash: string; node: string } | null {
    return this.repl?.config.revision ?? null;
  }

  /** while no config message reaches this node (config-hearing.ts): since when and why; null while they do */
  configProblem(): ConfigProblem | null {
    return this.repl?.config.problem ?? null;
  }

  // ---- ZoneHook

  runsHere(check: string): boolean {
    const o = this.owner(check);
    if (o === null || o === '*') return true;
    // cold start: nothing movable runs before this node has heard the zone (the
    // retained statuses and records), unless the broker stays silent all grace long
    if (!this.ready && this.cfg && this.site && this.site.clock.now() < this.startedAt + this.cfg.grace * 1000) return false;
    return o === this.node;
  }

  notifies(check: string, failing: boolean): ZoneNotify {
    if (!this.runsHere(check) || !this.notify) return { send: false };
    return this.notify.notifies(check, failing);
  }

  queued(check: string, actions: readonly string[], n: Notification): void {
    this.notify?.queued(check, actions, n);
  }

  /**
   * Why this node cannot be sure it is the only one that notifies: its zone
   * connection is down (the zone hears nothing of it, and other nodes may run
   * its checks), or it hears no other node of the zone while it knows of
   * nodes that went silent rather than down (a split cluster: they may be
   * running its checks, unheard). Null when it can be sure.
   */
  private doubt(): Exclude<Doubt, 'takeover' | 'restart'> | null {
    if (!this.connected) return 'cut-off';
    const now = this.site?.clock.now() ?? 0;
    const others = (xs: string[]): boolean => xs.some((n) => n !== this.node);
    return !others(this.table.live(now)) && others(this.table.silent(now)) ? 'alone' : null;
  }

  owner(check: string): string | null {
    const p = this.placement(check);
    if (!p) return null;
    return ownerOf(p, this.view(), this.roster.candidates());
  }

  members(): MemberView[] {
    const now = this.site?.clock.now() ?? 0;
    const v = this.table.view(now);
    const own = v.find((x) => x.name === this.node);
    const checks = this.runCount();
    const self: MemberView = { name: this.node, status: 'up', heardAt: now, checks, version: VERSION };
    return own ? v.map((x) => (x.name === this.node ? self : x)) : [...v, self].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The membership as this node sees it now (tests, the API). */
  view(): ZoneView {
    return this.roster.view();
  }

  // ---- internals

  /** How many checks this node runs: the ones it owns and the local ones (each node its own). */
  private runCount(): number {
    if (!this.site) return 0;
    return [...this.site.loaded.checks.keys()].filter((c) => {
      const o = this.owner(c);
      return o === this.node || o === '*';
    }).length;
  }

  private placement(check: string): Placement | null {
    const e = this.site?.entry(check);
    return e ? { name: check, type: e.config.type, node: e.config.node ?? null } : null;
  }

  private status(state: 'up' | 'down', reason?: string): Buffer {
    const s: NodeStatus = { node: this.node, state, heartbeat: this.cfg?.heartbeat ?? 10, version: VERSION, reason };
    if (state === 'up' && this.site) s.checks = this.runCount();
    if (state === 'up' && this.configRevision) s.config = this.configRevision;
    return Buffer.from(JSON.stringify(s));
  }

  /** Publishes "up" (retained) and re-arms the heartbeat. */
  private beat(): void {
    this.heartbeat?.cancel();
    const c = this.client;
    if (!c || !this.cfg || !this.site) return;
    const cfg = this.cfg;
    this.heartbeat = this.site.clock.setTimer(() => this.beat(), cfg.heartbeat * 1000);
    if (!c.connected) return;
    const hears = this.hearing.check(this.site.clock.now());
    if (hears !== 'yes') {
      if (hears === 'stopped')
        this.site.warn(
          `zone ${cfg.name}: node ${this.node} hears nothing from the zone (not even its own status for ${Math.round(this.hearing.limitMs / 1000)} s) — reconnecting`,
        );
      this.redial(c);
      return;
    }
    c.publishAsync(zoneTopics(cfg).node(this.node), this.status('up'), { qos: 1, retain: true }).catch((e: unknown) =>
      this.log?.warn({ err: (e as Error).message }, 'zone heartbeat not sent'),
    );
  }

  /** Drops this connection (its will says "down"); the client reconnects, to the next of `mqtt.servers`. */
  private redial(c: MqttClient): void {
    if (this.client !== c || !c.connected) return;
    this.connected = false;
    c.stream.destroy();
  }

  /** Our own "up" came back: this node hears the zone (hearing.ts). */
  private heardSelf(): void {
    const cfg = this.cfg;
    if (!cfg || !this.site) return;
    const again = this.hearing.heard(this.site.clock.now());
    if (this.connected || !this.client?.connected) return;
    this.connected = true;
    this.site.warn(again ? `zone ${cfg.name}: node ${this.node} hears the zone again` : `zone ${cfg.name}: node ${this.node} is up`, 'info');
  }

  private onMessage(topic: string, payload: Buffer, retained: boolean): void {
    if (!this.cfg || !this.site) return;
    if (this.repl?.onMessage(topic, payload, retained)) return;
    if (topic.includes('/notified/')) {
      let check: string | null = null;
      try {
        check = decodeURIComponent(topic.slice(topic.lastIndexOf('/') + 1));
      } catch {
        // not one of ours
      }
      if (check === null) this.log?.warn({ topic }, 'zone: malformed notified record dropped');
      else this.notify?.onRecord(check, payload);
      return;
    }
    const node = topic.slice(topic.lastIndexOf('/') + 1);
    if (payload.length === 0) {
      if (this.table.forget(node)) this.roster.changed();
      return;
    }
    const s = decodeStatus(payload);
    if (!s || s.node !== node) {
      this.log?.warn({ topic, bytes: payload.length }, 'zone: malformed node status dropped');
      return;
    }
    if (s.node === this.node) {
      // our own will from an earlier connection (or a stale retained "down"): say we are up
      if (s.state === 'down' && this.client?.connected) this.beat();
      // only a live copy proves the broker delivers to us: the retained copy it replays at subscribe time has RETAIN
      // set, a live one forwarded to a subscriber has it clear (MQTT 3.1.1 §3.3.1.3; Mosquitto and NATS both do)
      else if (s.state === 'up' && !retained) this.heardSelf();
      return;
    }
    // a retained "up" replayed at subscribe time may be old: it counts as heard now, and expires after `misses` heartbeats
    void retained;
    if (this.table.onStatus(s, this.site.clock.now())) this.roster.changed();
    if (s.state === 'up') this.repl?.config.onPeer(s.node, s.config ?? null);
  }
}
