/**
 * The zone's views on the broker and multi-vantage quorum (issue 23,
 * docs/ha.md). On a node of a zone it
 * - publishes the state of each check this node runs (state.ts), for the
 *   fleet view and for the other vantages;
 * - for each multi-vantage check (vantage.ts), follows every vantage zone's
 *   view and its nodes, and when the quorum state changes, notifies — only
 *   on the check's owner node in the notifying zone (rendezvous over the
 *   live vantage zones), with each vantage's view in the message. A retained
 *   record (`<prefix>/_vantage/notified/<check>`) stops a second zone from
 *   sending the same state again.
 * The zone's own transition notifications of such a check are off
 * (ZoneService.notifies asks isVantageCheck).
 */
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { SiteService } from '../site-service.ts';
import type { TimerHandle } from '../engine/clock.ts';
import type { LoadedSite } from '../config/load.ts';
import type { SiteRuntime } from '../site-runtime.ts';
import type { ZoneHook } from './hook.ts';
import type { LinkSite } from './link.ts';
import type { NotifySite } from './notify.ts';
import { isFailing, stateText } from '../engine/state.ts';
import { decodeStatus, Members } from './members.ts';
import { decodeRecord, encodeRecord, type NotifiedRecord } from './notified.ts';
import { decodeView, encodeView, parseStateTopic, publishNow, stateTopics, type Published } from './state.ts';
import { notifyingZone, quorumLine, quorumState, vantageOf, viewLines, type VantageSpec, type VantageView, type Verdict } from './vantage.ts';
import { openLink } from './link.ts';
import { closeClient } from '../federation/close.ts';

export interface VantageServiceOptions {
  node: string;
}

/**
 * What multi-vantage verdicts use of the site: the notification side's part
 * (notify.ts) and the link's, no more (src/wiring-views.ts builds it; `settings`, `loaded` and `zone` are read through getters).
 */
export interface VantageSite extends LinkSite, NotifySite {
  /** the config in force now (replaced whole by each edit) */
  readonly loaded: LoadedSite;
  readonly log: Logger;
  /** the HA zone's hook: null while this node is in no zone */
  readonly zone: ZoneHook | null;
  readonly runtime: Pick<SiteRuntime, 'summary' | 'notification'>;
}

export class VantageService implements SiteService {
  readonly name = 'zone-views';
  private site: VantageSite | null = null;
  private client: MqttClient | null = null;
  private log: Logger | null = null;
  private prefix = '';
  private zoneName = '';
  private misses = 3;
  private refreshMs = 300_000;
  private readonly published = new Map<string, Published>();
  /** per vantage zone: its nodes */
  private readonly zones = new Map<string, Members>();
  /** per check, per zone: the view */
  private readonly views = new Map<string, Map<string, VantageView>>();
  private readonly records = new Map<string, NotifiedRecord>();
  private readonly verdicts = new Map<string, Verdict>();
  private ready = false;
  private timer: TimerHandle | null = null;

  /** `deps`: what the verdicts use of the site (wiring.ts hands it in). */
  constructor(
    private readonly o: VantageServiceOptions,
    private readonly deps: VantageSite,
  ) {}

  async start(): Promise<void> {
    const site = this.deps;
    const cfg = site.settings.zone;
    const specs = this.specs(site);
    if (!cfg) {
      if (specs.size) site.warn(`checks ${[...specs.keys()].join(', ')} list vantage zones, but this site has no zone key — they run as ordinary checks`);
      return;
    }
    const link = await openLink(site, 'views', this.o.node, site.zone?.guard ?? undefined);
    if ('error' in link) return; // the zone service says so already
    this.site = site;
    this.client = link.client;
    this.prefix = cfg.topic.replace(/\/+$/, '');
    this.zoneName = cfg.name;
    this.misses = cfg.misses;
    this.refreshMs = cfg.heartbeat * 30_000;
    this.log = site.log.child({ zone: cfg.name, node: this.o.node, part: 'views' });
    const client = link.client;
    client.on('connect', () => {
      const filters = [`${this.prefix}/_vantage/notified/+`];
      for (const z of new Set([...specs.values()].flatMap((s) => s.zones))) filters.push(`${this.prefix}/${z}/node/+`);
      for (const [name, s] of specs) for (const z of s.zones) filters.push(stateTopics(this.prefix, z).state(name));
      client.subscribe(filters, { qos: 1 }, (err) => {
        if (err) this.log?.warn({ err: err.message }, 'zone views: subscribe failed');
        else this.timer = site.clock.setTimer(() => ((this.ready = true), this.evaluate()), cfg.heartbeat * 1000);
      });
    });
    client.on('error', (e) => this.log?.warn({ err: e.message }, 'zone views: connection problem'));
    client.on('message', (topic: string, payload: Buffer) => this.onMessage(topic, payload));
    site.bus.on('run', this.onRun);
  }

  async stop(): Promise<void> {
    this.timer?.cancel();
    this.site?.bus.off('run', this.onRun);
    const c = this.client;
    this.client = null;
    if (c) await closeClient(c);
  }

  private specs(site: VantageSite): Map<string, VantageSpec> {
    const out = new Map<string, VantageSpec>();
    for (const [name, e] of site.loaded.checks) {
      const s = vantageOf(e.config.options);
      if (s) out.set(name, s);
    }
    return out;
  }

  /** After a run here: publish this zone's view of the check when it changed (state.ts). */
  private readonly onRun = ({ name }: { name: string }): void => {
    const site = this.site;
    const zone = site?.zone;
    if (!site || !zone || !this.client?.connected) return;
    const owner = zone.owner(name);
    if (owner !== this.o.node && owner !== '*') return;
    const st = site.state(name);
    const e = site.entry(name);
    if (!e) return;
    const key = owner === '*' ? `${name}@${this.o.node}` : name;
    const view: VantageView = {
      state: stateText(st, e.config.paused),
      failing: isFailing(st.failState),
      summary: site.runtime.summary(name),
      since: isFailing(st.failState) ? st.lastFail : st.lastPass,
      node: this.o.node,
    };
    const now = site.clock.now();
    if (!publishNow(this.published.get(key), `${view.state}|${view.failing}`, now, this.refreshMs)) return;
    this.published.set(key, { key: `${view.state}|${view.failing}`, at: now });
    this.client
      .publishAsync(stateTopics(this.prefix, this.zoneName).state(key), encodeView(view), { qos: 1, retain: true })
      .catch((err: unknown) => this.log?.warn({ check: name, err: (err as Error).message }, 'zone views: state not sent'));
  };

  private onMessage(topic: string, payload: Buffer): void {
    const site = this.site;
    if (!site) return;
    const rest = topic.slice(this.prefix.length + 1).split('/');
    const now = site.clock.now();
    if (rest[0] === '_vantage' && rest[1] === 'notified' && rest.length === 3) {
      const rec = decodeRecord(payload);
      let check: string | null = null;
      try {
        check = decodeURIComponent(rest[2]!);
      } catch {
        /* dropped below */
      }
      if (check !== null && rec) this.records.set(check, rec);
      else if (payload.length) this.log?.warn({ topic }, 'zone views: malformed record dropped');
    } else if (rest.length === 3 && rest[1] === 'node') {
      const s = payload.length ? decodeStatus(payload) : null;
      let m = this.zones.get(rest[0]!);
      if (!m) this.zones.set(rest[0]!, (m = new Members(this.misses)));
      if (s && s.node === rest[2]) m.onStatus(s, now);
      else if (!payload.length) m.forget(rest[2]!);
      else this.log?.warn({ topic }, 'zone views: malformed node status dropped');
    } else {
      const p = parseStateTopic(this.prefix, topic);
      const v = payload.length ? decodeView(payload) : null;
      if (!p) return;
      let per = this.views.get(p.check);
      if (!per) this.views.set(p.check, (per = new Map()));
      if (v) per.set(p.zone, v);
      else {
        per.delete(p.zone);
        if (payload.length) this.log?.warn({ topic }, 'zone views: malformed state dropped');
      }
    }
    this.evaluate();
  }

  /** The views that count: present, and from a node that is live in its zone (else silent: unknown). */
  private liveViews(check: string, spec: VantageSpec, now: number): { views: Map<string, VantageView | null>; live: Set<string> } {
    const live = new Set<string>();
    const views = new Map<string, VantageView | null>();
    for (const z of spec.zones) {
      const nodes = this.zones.get(z)?.live(now) ?? [];
      if (nodes.length || z === this.zoneName) live.add(z);
      const v = this.views.get(check)?.get(z);
      views.set(z, v && nodes.includes(v.node) ? v : null);
    }
    return { views, live };
  }

  private evaluate(): void {
    const site = this.site;
    if (!site || !this.ready) return;
    const now = site.clock.now();
    let next: number | null = null;
    for (const [name, spec] of this.specs(site)) {
      const { views, live } = this.liveViews(name, spec, now);
      const q = quorumState(spec, views);
      this.verdicts.set(name, q.verdict);
      if (q.verdict === 'unknown') continue;
      if (notifyingZone(name, spec, live) !== this.zoneName || !site.zone?.runsHere(name)) continue;
      const failing = q.verdict === 'fail';
      const rec = this.records.get(name);
      if (rec ? rec.failing === failing : !failing) continue;
      this.notify(name, spec, q, views, failing);
    }
    for (const m of this.zones.values()) {
      const e = m.nextExpiry(now);
      if (e !== null) next = next === null ? e : Math.min(next, e);
    }
    this.timer?.cancel();
    this.timer = next === null ? null : site.clock.setTimer(() => this.evaluate(), Math.max(0, next - now));
  }

  private notify(name: string, spec: VantageSpec, q: ReturnType<typeof quorumState>, views: Map<string, VantageView | null>, failing: boolean): void {
    const site = this.site!;
    const rec: NotifiedRecord = { failing, at: site.clock.now(), node: this.o.node };
    this.records.set(name, rec);
    this.client
      ?.publishAsync(`${this.prefix}/_vantage/notified/${encodeURIComponent(name)}`, encodeRecord(rec), { qos: 1, retain: true })
      .catch((e: unknown) => this.log?.warn({ check: name, err: (e as Error).message }, 'zone views: notified record not sent'));
    const e = site.entry(name);
    if (!e || e.config.paused || site.readOnly || !(failing ? e.config.failAction : e.config.passAction)) return;
    const actions = e.config.actions.filter((a) => site.action(a)?.active);
    if (!actions.length) return;
    const lines = viewLines(spec, views);
    const head = quorumLine(spec, q);
    const n = site.runtime.notification(name, 'transition');
    const summary = failing ? `${head}: ${lines.filter((l) => /: FAIL/.test(l)).join('; ')}` : '';
    const sent = {
      ...n,
      check: {
        ...n.check,
        state: failing ? 'FAIL' : 'PASS',
        failState: failing,
        summary,
        log: [head, ...lines],
        vantages: lines.join('\n'),
      },
    };
    site.warn(`zone ${this.zoneName}: ${name}: ${head}`, 'info');
    try {
      site.notifier.queue(actions, sent);
    } catch (err) {
      site.notifier.hold(actions, sent, err);
    }
  }

  /** The quorum verdict as this node sees it (tests, the fleet view). */
  verdict(check: string): Verdict | null {
    return this.verdicts.get(check) ?? null;
  }
}
