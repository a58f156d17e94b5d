/**
 * Does the config topic reach this node? (docs/ha.md "A node that hears no
 * config") The statuses prove the status subscription (hearing.ts); nothing
 * proved the config one. A broker ACL that denies reading
 * `<topic>/<zone>/config`, or a subscription the broker lost, left a node
 * that heard its peers, ran its old config and caught up only when another
 * node published again — which may never come, since the re-send for a peer
 * that stays behind (config-sync.ts onPeer) goes through the same topic.
 * Each peer's heartbeat names the revision it runs: a peer that announces a
 * revision newer than any config message this node has heard, for
 * LAG_BEATS of its heartbeats and at least LAG_MS, while no config message
 * at all arrives, means the topic does not reach this node. Pure, on the
 * caller's clock.
 */
import { newer, type ConfigMessage } from './replica-doc.ts';

type Rev = Pick<ConfigMessage, 'rev' | 'node'>;

/** A peer re-sends its revision after 3 of its heartbeats behind (config-sync.ts); three more to hear it. */
export const LAG_BEATS = 6;
/** and at least this long (a busy machine applies a large revision slowly; the count alone could misjudge it) */
export const LAG_MS = 5_000;

/** A node that receives no config messages: since when (ms) and the sentence it logged (/healthz, the zone API). */
export interface ConfigProblem {
  since: number;
  message: string;
}

export interface ConfigHearingHost {
  now(): number;
  /** the config topic does not reach this node: `peer` runs revision `rev`, never heard here; `first`: the episode's first verdict */
  deaf(peer: string, rev: number, own: number | null, first: boolean): void;
  /** a config message arrived after deaf() */
  again(): void;
}

export class ConfigHearing {
  /** the newest revision heard on the config topic since start (applied or not) */
  private newest: Rev | null = null;
  /** per peer: since when, and for how many of its heartbeats, it ran a revision never heard here */
  private readonly lag = new Map<string, { since: number; beats: number }>();
  private deaf = false;

  constructor(private readonly h: ConfigHearingHost) {}

  get deafNow(): boolean {
    return this.deaf;
  }

  /** A config message arrived (`m` null: one that could not be read; the topic reaches this node all the same). */
  heard(m: Rev | null): void {
    this.lag.clear();
    if (m && (!this.newest || newer(m, this.newest))) this.newest = { rev: m.rev, node: m.node };
    if (!this.deaf) return;
    this.deaf = false;
    this.h.again();
  }

  /** A peer's heartbeat with the revision it runs; `synced`: the one this node runs. */
  peer(node: string, rev: Rev | null, synced: Rev | null): void {
    const known = !synced ? this.newest : !this.newest || newer(synced, this.newest) ? synced : this.newest;
    if (!rev || (known && !newer(rev, known))) {
      this.lag.delete(node);
      return;
    }
    const now = this.h.now();
    const l = this.lag.get(node) ?? { since: now, beats: 0 };
    l.beats++;
    this.lag.set(node, l);
    if (l.beats < LAG_BEATS || now - l.since < LAG_MS) return;
    // one verdict (and one new subscription) per LAG_BEATS heartbeats
    this.lag.clear();
    const first = !this.deaf;
    this.deaf = true;
    this.h.deaf(node, rev.rev, synced?.rev ?? null, first);
  }
}
