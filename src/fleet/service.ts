/**
 * The fleet watcher (issue 23, docs/fleet.md): with a `fleet` key, this
 * instance subscribes to the zones' retained node statuses
 * (`<topic>/<zone>/node/<node>`) and check states (`<topic>/<zone>/view/<check>`)
 * on its broker — a hub that site brokers bridge to, or a cluster — and keeps
 * them in a FleetModel for /fleet. It only reads: it runs nothing and sends
 * nothing. A malformed message is logged and dropped.
 */
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { SiteService } from '../site-service.ts';
import type { Clock } from '../engine/clock.ts';
import type { LinkSite } from '../zone/link.ts';
import { decodeStatus } from '../zone/members.ts';
import { decodeView } from '../zone/state.ts';
import { openLink } from '../zone/link.ts';
import { closeClient } from '../federation/close.ts';
import { FleetModel } from './model.ts';
import type { FleetConfig } from './config.ts';
import { ChangeGate, fleetKey, type FleetListener } from './changes.ts';

/**
 * What the fleet view uses of the site: no more (src/wiring-views.ts builds
 * it; `settings` is read through a getter, so config edits reach it).
 */
export interface FleetSite extends LinkSite {
  readonly clock: Clock;
  readonly log: Logger;
  warn(message: string, level?: 'info' | 'warn'): void;
}

/** What /fleet reads: the model and the connection's health. */
export interface FleetSource {
  readonly model: FleetModel;
  now(): number;
  /** null while connected; else why the view may be stale */
  problem(): string | null;
  /** Calls `fn` with what changed, batched (src/fleet/changes.ts); returns the unsubscribe. */
  onChange(fn: FleetListener): () => void;
}

/** `<prefix>/<zone>/<node|state>/<name>` → its parts, or null. */
export function parseFleetTopic(prefix: string, topic: string): { zone: string; kind: 'node' | 'state'; name: string } | null {
  if (!topic.startsWith(`${prefix}/`)) return null;
  const rest = topic.slice(prefix.length + 1).split('/');
  if (rest.length !== 3 || !rest[0] || (rest[1] !== 'node' && rest[1] !== 'view') || !rest[2]) return null;
  if (rest[1] === 'node') return { zone: rest[0], kind: 'node', name: rest[2] };
  try {
    return { zone: rest[0], kind: 'state', name: decodeURIComponent(rest[2]) };
  } catch {
    return null;
  }
}

export class FleetService implements SiteService, FleetSource {
  readonly name = 'fleet';
  readonly model: FleetModel;
  private client: MqttClient | null = null;
  private log: Logger | null = null;
  private clock: (() => number) | null = null;
  private why: string | null = 'not connected yet';
  private prefix: string;
  private readonly gate = new ChangeGate();
  /** wakes when the next live node goes silent, so an open page shows it without a message */
  private expiry: NodeJS.Timeout | null = null;

  constructor(
    private readonly cfg: FleetConfig,
    private readonly node: string,
    private readonly site: FleetSite,
  ) {
    this.model = new FleetModel(cfg.misses, cfg.maxChecks);
    this.prefix = cfg.topic.replace(/\/+$/, '');
  }

  now(): number {
    return this.clock ? this.clock() : Date.now();
  }

  problem(): string | null {
    return this.why;
  }

  onChange(fn: FleetListener): () => void {
    return this.gate.on(fn);
  }

  private health(why: string | null): void {
    if (why === this.why) return;
    this.why = why;
    this.gate.mark((c) => (c.all = true));
  }

  /** Re-arms the silence timer (real time until the model's next expiry on the site clock). */
  private armExpiry(): void {
    if (this.expiry) clearTimeout(this.expiry);
    this.expiry = null;
    const now = this.now();
    const at = this.model.nextExpiry(now);
    if (at === null || !this.client) return;
    this.expiry = setTimeout(
      () => {
        this.expiry = null;
        this.gate.mark((c) => (c.all = true));
        this.armExpiry();
      },
      Math.max(50, at - now + 10),
    );
    this.expiry.unref();
  }

  async start(): Promise<void> {
    const site = this.site;
    this.clock = () => site.clock.now();
    this.log = site.log.child({ part: 'fleet' });
    const link = await openLink(site, 'fleet', this.node);
    if ('error' in link) {
      this.health(`the fleet view has ${link.error}`);
      site.warn(`fleet: ${this.why}`);
      return;
    }
    const client = (this.client = link.client);
    const zones = this.cfg.zones?.length ? this.cfg.zones : ['+'];
    client.on('connect', () => {
      this.health(null);
      const filters = zones.flatMap((z) => [`${this.prefix}/${z}/node/+`, `${this.prefix}/${z}/view/+`]);
      client.subscribe(filters, { qos: 1 }, (err) => {
        if (err) this.log?.warn({ err: err.message }, 'fleet: subscribe failed');
      });
    });
    client.on('close', () => this.health(`no connection to the broker (${link.url})`));
    client.on('error', (e) => this.log?.warn({ err: e.message }, 'fleet: connection problem'));
    client.on('message', (topic: string, payload: Buffer) => this.onMessage(topic, payload));
  }

  async stop(): Promise<void> {
    const c = this.client;
    this.client = null;
    if (this.expiry) clearTimeout(this.expiry);
    this.expiry = null;
    this.gate.close();
    if (c) await closeClient(c);
  }

  onMessage(topic: string, payload: Buffer): void {
    const p = parseFleetTopic(this.prefix, topic);
    if (!p) return;
    const now = this.now();
    if (p.kind === 'node') {
      let moved = true;
      if (!payload.length) this.model.forgetNode(p.zone, p.name);
      else {
        const s = decodeStatus(payload);
        if (!s || s.node !== p.name) return void this.log?.warn({ topic }, 'fleet: malformed node status dropped');
        moved = this.model.onStatus(p.zone, s, now);
      }
      this.gate.mark((c) => {
        c.heard = true;
        if (moved) c.nodes.add(p.zone);
      });
      this.armExpiry();
      return;
    }
    const v = payload.length ? decodeView(payload) : null;
    if (payload.length && !v) return void this.log?.warn({ topic }, 'fleet: malformed check state dropped');
    const did = this.model.onView(p.zone, p.name, v, now);
    if (did === 'changed') this.gate.mark((c) => c.checks.add(fleetKey(p.zone, p.name)));
    else if (did === 'added' || did === 'removed') this.gate.mark((c) => c.added.add(p.zone));
  }
}
