/**
 * Zone message authentication at the encode/decode point (issue 23,
 * docs/ha.md "Trust"). A ZoneGuard sits between a zone-side MQTT client
 * and the code that uses it: what the node publishes under its zone's
 * `<topic>/<zone>/` is sealed (seal.ts), what it receives is opened, and
 * nothing else of the zone code knows about keys.
 *
 * - With a `zone.key`: config, check states and notified records are
 *   encrypted and authenticated; node statuses and views are authenticated
 *   and stay readable (fleet instances and other zones read them without
 *   the key). A message of this zone that is not sealed with one of the
 *   node's keys, or fails its tag, is dropped, logged (rate-limited) and
 *   counted. Replays: a config revision older than the newest this node
 *   has seen, or a notified record older than the one it holds for that
 *   check, is dropped too (counted as a replay unless the broker sent it
 *   as its retained copy at subscribe time: see open()).
 * - Without a key: everything passes as before (the zone is reported as
 *   unauthenticated), except an encrypted message, which it cannot read.
 * - A reader with no zone (the fleet watcher): readable envelopes are
 *   unwrapped (not verified), everything else passes.
 * Topics outside the zone (fletchck federation) never pass through here.
 */
import { createHash } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { resolveSecret } from '../util/secret.ts';
import { zoneBase, type ZoneConfig } from './config.ts';
import { isSealed, open, parseKeys, seal, type SealMode, type ZoneKey } from './seal.ts';

export type RejectReason = 'unsigned' | 'unknown key' | 'bad tag' | 'malformed' | 'replay' | 'no key';
export const REJECT_REASONS: readonly RejectReason[] = ['unsigned', 'unknown key', 'bad tag', 'malformed', 'replay', 'no key'];

const WHY: Record<RejectReason, string> = {
  unsigned: 'not signed with the zone key',
  'unknown key': 'sealed with a key this node does not have',
  'bad tag': 'failed verification (forged, altered, or a wrong key)',
  malformed: 'not a zone envelope',
  replay: 'older than one already seen (a replay)',
  'no key': 'encrypted, and this node has no zone key',
};

/**
 * A node "hears only rejected messages" after this many rejected in a row
 * with none verified from another node, for at least `quietMs` (a few
 * forgeries between two heartbeats of a live peer do not make it so).
 */
export const ONLY_REJECTED_AFTER = 3;
const LOG_EVERY_MS = 10_000;
const MAX_TRACKED = 100_000;
/** own messages sealed and not yet heard back that a guard remembers (a few heartbeats' worth of records and revisions) */
const MAX_UNHEARD = 1024;
const digest = (b: Buffer): string => createHash('sha256').update(b).digest('base64');

/** What the API, /healthz and /metrics show of a zone's message authentication. */
export interface ZoneTrust {
  authenticated: boolean;
  /** ids of the keys this node opens with, the sealing one first (never a key) */
  keyIds: string[];
  /** verified messages from other nodes of the zone, since start */
  verified: number;
  /** rejected messages since start, by reason */
  rejected: Record<RejectReason, number>;
  lastRejected: { at: number; topic: string; why: string } | null;
  /** a line for people: the zone is unauthenticated, or this node hears only rejected messages; null when neither */
  warning: string | null;
  /** true while the messages this node hears from the zone are all rejected */
  onlyRejected: boolean;
}

export interface GuardOptions {
  /** this node's zone topics, `<topic>/<zone>/`; '' for a reader outside any zone */
  base: string;
  node: string;
  /** the zone's keys, the sealing one first; empty: no zone key */
  keys: readonly ZoneKey[];
  now: () => number;
  /** how long without a verified message from another node before "hears only rejected messages" (the zone's heartbeat × misses) */
  quietMs?: number;
  log?: Logger;
  /** the site log (loud): "hears only rejected messages" and its end */
  warn?: (message: string, level?: 'info' | 'warn') => void;
}

export class ZoneGuard {
  private verified = 0;
  private readonly rejected = Object.fromEntries(REJECT_REASONS.map((r) => [r, 0])) as Record<RejectReason, number>;
  private lastRejected: ZoneTrust['lastRejected'] = null;
  private rejectedRun = 0;
  /** the site log has been told that this node hears only rejected messages */
  private said = false;
  /** when a message of another node last passed verification (or the guard was made) */
  private heardAt: number;
  private readonly loggedAt = new Map<RejectReason, { at: number; skipped: number }>();
  /** replay marks: the newest config revision, each notified record's time */
  private configRev = 0;
  private readonly recordAt = new Map<string, number>();

  constructor(private readonly o: GuardOptions) {
    this.heardAt = o.now();
  }

  /** A guard for a client outside any zone (the fleet watcher). */
  static reader(now: () => number = Date.now): ZoneGuard {
    return new ZoneGuard({ base: '', node: '', keys: [], now });
  }

  get keyed(): boolean {
    return this.o.keys.length > 0;
  }

  private mine(topic: string): boolean {
    return this.o.base !== '' && topic.startsWith(this.o.base);
  }

  /** Node statuses and views stay readable; config, states, notified records are secret. */
  private mode(topic: string): SealMode {
    const rest = topic.slice(this.o.base.length);
    return rest.startsWith('node/') || rest.startsWith('view/') ? 'S' : 'E';
  }

  /** What goes on the wire for `payload` on `topic`. */
  seal(topic: string, payload: Buffer | string): Buffer | string {
    const k = this.o.keys[0];
    if (!k || !this.mine(topic)) return payload;
    const out = seal(k, this.mode(topic), topic, this.o.node, typeof payload === 'string' ? Buffer.from(payload) : payload);
    if (this.ordered(topic)) {
      this.unheard.add(digest(out));
      if (this.unheard.size > MAX_UNHEARD) this.unheard.delete(this.unheard.values().next().value as string);
    }
    return out;
  }

  /** config revisions and notified records: the topics whose messages only go forward (replayed()) */
  private ordered(topic: string): boolean {
    const rest = topic.slice(this.o.base.length);
    return rest === 'config' || rest.startsWith('notified/');
  }

  /**
   * This node's own messages of the ordered topics, sealed and not yet heard
   * back (digests, the oldest go first). Its own message that comes back
   * older than one already seen is no replay: another node published a newer
   * one at the same moment and the broker took that one first. Dropped all
   * the same, not counted; a second copy of it is a replay.
   */
  private readonly unheard = new Set<string>();

  /**
   * What the zone code gets of a received message; null: dropped (logged
   * and counted). `retained`: the broker delivered it because this node
   * subscribed (MQTT 3.1.1 §3.3.1.3: a message for an established
   * subscription always arrives with RETAIN 0), so an older one is the
   * broker's stored copy overtaken by a newer live message, not a replay:
   * dropped all the same, but not counted as an attack.
   */
  open(topic: string, payload: Buffer, retained = false): Buffer | null {
    const mine = this.mine(topic);
    if (!isSealed(payload)) {
      if (mine && this.keyed) return this.reject(topic, 'unsigned');
      return payload;
    }
    const r = open(this.o.keys, topic, payload);
    if (!r.ok) {
      if (!mine && r.why !== 'bad tag') return null; // another zone's secret: not for this node, not an attack on it
      return this.reject(topic, r.why === 'unknown key' && !this.keyed ? 'no key' : r.why);
    }
    if (!r.verified) {
      if (mine && this.keyed) return this.reject(topic, 'unknown key');
      return r.body;
    }
    const echo = mine && r.sender === this.o.node && this.ordered(topic) && this.unheard.delete(digest(payload));
    if (mine && this.replayed(topic, r.body)) {
      if (!retained && !echo) return this.reject(topic, 'replay');
      this.o.log?.debug(
        { topic: topic.slice(0, 300) },
        echo
          ? "zone: this node's own message, overtaken by another node's newer one: dropped"
          : 'zone: an older retained copy, overtaken by a newer message: dropped',
      );
      return null;
    }
    if (mine && r.sender !== this.o.node) this.heard();
    return r.body;
  }

  /** Wraps a client: publish() (and so publishAsync()) seals, the "message" event opens. */
  wrap(client: MqttClient): MqttClient {
    const publish = client.publish.bind(client);
    client.publish = ((topic: string, message: Buffer | string, ...rest: unknown[]) =>
      (publish as (...a: unknown[]) => MqttClient)(topic, this.seal(topic, message), ...rest)) as MqttClient['publish'];
    const emit = client.emit.bind(client) as (event: string, ...args: unknown[]) => boolean;
    client.emit = ((event: string, ...args: unknown[]): boolean => {
      if (event !== 'message') return emit(event, ...args);
      const [topic, payload, packet] = args as [string, Buffer, { retain?: boolean } | undefined];
      const body = this.open(topic, payload, packet?.retain === true);
      return body === null ? false : emit('message', topic, body, packet);
    }) as MqttClient['emit'];
    return client;
  }

  trust(): ZoneTrust {
    const keyed = this.keyed;
    const only = this.onlyRejected;
    return {
      authenticated: keyed,
      keyIds: this.o.keys.map((k) => k.id),
      verified: this.verified,
      rejected: { ...this.rejected },
      lastRejected: this.lastRejected,
      onlyRejected: only,
      warning: only
        ? `this node hears only rejected zone messages (last: ${this.lastRejected?.why ?? ''}); check that every node has the same zone key`
        : keyed
          ? null
          : 'the zone is unauthenticated: no zone key, so anyone who can publish to the broker can change every node (docs/ha.md "Trust")',
    };
  }

  get onlyRejected(): boolean {
    return this.rejectedRun >= ONLY_REJECTED_AFTER && this.o.now() - this.heardAt >= (this.o.quietMs ?? 0);
  }

  /** Config revisions and notified records only go forward. */
  private replayed(topic: string, body: Buffer): boolean {
    if (!this.keyed || body.length === 0) return false;
    const rest = topic.slice(this.o.base.length);
    if (rest !== 'config' && !rest.startsWith('notified/')) return false;
    const v = rest === 'config' ? revOf(body) : atOf(body);
    if (typeof v !== 'number' || !Number.isFinite(v)) return false;
    if (rest === 'config') {
      if (v < this.configRev) return true;
      this.configRev = v;
      return false;
    }
    const seen = this.recordAt.get(rest);
    if (seen !== undefined && v < seen) return true;
    if (seen === undefined && this.recordAt.size >= MAX_TRACKED) this.recordAt.delete(this.recordAt.keys().next().value as string);
    this.recordAt.set(rest, v);
    return false;
  }

  private heard(): void {
    this.verified++;
    this.heardAt = this.o.now();
    if (this.said) this.o.warn?.(`zone: node ${this.o.node} hears verified zone messages again`, 'info');
    this.said = false;
    this.rejectedRun = 0;
  }

  private reject(topic: string, why: RejectReason): null {
    this.rejected[why]++;
    const now = this.o.now();
    this.lastRejected = { at: now, topic: topic.slice(0, 300), why: WHY[why] };
    this.rejectedRun++;
    // rate-limited: the first of each reason, then one line per LOG_EVERY_MS with how many were not logged
    const l = this.loggedAt.get(why);
    if (!l || now - l.at >= LOG_EVERY_MS) {
      this.o.log?.warn({ topic: this.lastRejected.topic, why: WHY[why], notLogged: l?.skipped ?? 0 }, 'zone: message rejected and dropped');
      this.loggedAt.set(why, { at: now, skipped: 0 });
    } else l.skipped++;
    if (!this.said && this.onlyRejected) {
      this.said = true;
      this.o.warn?.(`zone: node ${this.o.node} hears only rejected zone messages (${WHY[why]}); check that every node has the same zone key`);
    }
    return null;
  }
}

/**
 * A config message's revision. The message is verified, so it was made by
 * encodeConfig (replica-doc.ts), which writes `{"v":1,"rev":N,…`: read from
 * the head, not by parsing the whole config again (a config of 1,000
 * checks: ~4 ms of JSON.parse, bench/zone-seal.ts).
 */
function revOf(body: Buffer): unknown {
  const m = /^\{"v":1,"rev":(\d{1,15})[,}]/.exec(body.subarray(0, 40).toString('latin1'));
  return m ? Number(m[1]) : parse(body, 'rev');
}

const atOf = (body: Buffer): unknown => parse(body, 'at');

function parse(body: Buffer, key: 'rev' | 'at'): unknown {
  try {
    return (JSON.parse(body.toString('utf8')) as Record<string, unknown> | null)?.[key];
  } catch {
    return undefined; // the zone code logs it as malformed
  }
}

/**
 * The guard of a node of zone `cfg`: its key read from where `zone.key`
 * points (relative files from the site folder), or a sentence saying why it
 * cannot be read (never the key).
 */
export async function zoneGuard(
  cfg: Pick<ZoneConfig, 'topic' | 'name' | 'key'>,
  node: string,
  o: Omit<GuardOptions, 'base' | 'node' | 'keys'> & { base: string },
): Promise<ZoneGuard | { error: string }> {
  let keys: ZoneKey[] = [];
  if (cfg.key) {
    let secret: string;
    try {
      secret = await resolveSecret(cfg.key, o.base);
    } catch (e) {
      return { error: `the zone key cannot be read: ${(e as Error).message}` };
    }
    const p = parseKeys(secret);
    if ('error' in p) return { error: p.error };
    keys = p.keys;
  }
  return new ZoneGuard({ base: zoneBase(cfg), node, keys, now: o.now, quietMs: o.quietMs, log: o.log, warn: o.warn });
}
