/**
 * Zone membership, as each node sees it (docs/ha.md). Every node publishes a
 * retained status `<prefix>/<zone>/node/<node>` with a last will, and renews
 * it every heartbeat. A node is live while its last "up" status is younger
 * than `misses` heartbeats on THIS node's clock (so clock skew between nodes
 * does not matter); a "down" status (its will or a clean stop) ends it at once.
 * Pure: the MQTT part is in service.ts.
 */

export interface NodeStatus {
  node: string;
  state: 'up' | 'down';
  /** heartbeat seconds the node announces (its own setting) */
  heartbeat: number;
  version?: string;
  /** checks this node runs (informational) */
  checks?: number;
  reason?: string;
  /** the zone config revision the node runs (config-sync.ts): a node that is ahead re-sends it to one behind */
  config?: { rev: number; hash: string; node: string };
}

export interface MemberView {
  name: string;
  status: 'up' | 'down';
  /** local time the last status was received, ms */
  heardAt: number;
  checks: number;
  version: string | null;
}

const NAME = /^[^/+#\u0000]{1,128}$/;

/** Decodes a status payload; null for anything that is not one (logged and dropped by the caller). */
export function decodeStatus(buf: Buffer | string, maxBytes = 4096): NodeStatus | null {
  if (buf.length === 0 || buf.length > maxBytes) return null;
  let v: unknown;
  try {
    v = JSON.parse(buf.toString());
  } catch {
    return null;
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  if (typeof o.node !== 'string' || !NAME.test(o.node)) return null;
  if (o.state !== 'up' && o.state !== 'down') return null;
  const heartbeat = typeof o.heartbeat === 'number' && o.heartbeat > 0 && o.heartbeat <= 3600 ? o.heartbeat : 10;
  return {
    node: o.node,
    state: o.state,
    heartbeat,
    version: typeof o.version === 'string' ? o.version.slice(0, 64) : undefined,
    checks: typeof o.checks === 'number' && Number.isInteger(o.checks) && o.checks >= 0 ? o.checks : undefined,
    reason: typeof o.reason === 'string' ? o.reason.slice(0, 200) : undefined,
    config: revisionOf(o.config),
  };
}

function revisionOf(v: unknown): NodeStatus['config'] {
  if (!v || typeof v !== 'object') return undefined;
  const c = v as Record<string, unknown>;
  if (!Number.isSafeInteger(c.rev) || typeof c.hash !== 'string' || c.hash.length > 64 || typeof c.node !== 'string' || !NAME.test(c.node)) return undefined;
  return { rev: c.rev as number, hash: c.hash, node: c.node };
}

export function isNodeName(s: string): boolean {
  return NAME.test(s);
}

interface Known {
  status: NodeStatus;
  heardAt: number;
}

export class Members {
  private readonly known = new Map<string, Known>();

  /** `misses`: heartbeats a node may miss before it counts as dead (issue 23: 3). */
  constructor(private readonly misses = 3) {}

  /** Records a status; returns true when the set of live nodes may have changed. */
  onStatus(s: NodeStatus, now: number): boolean {
    const before = this.known.get(s.node);
    this.known.set(s.node, { status: s, heardAt: now });
    return !before || before.status.state !== s.state || !this.aliveAt(before, now);
  }

  /** A cleared retained status: the node is forgotten. */
  forget(node: string): boolean {
    return this.known.delete(node);
  }

  private aliveAt(k: Known, now: number): boolean {
    return k.status.state === 'up' && now - k.heardAt <= this.misses * k.status.heartbeat * 1000;
  }

  /** Live nodes, sorted. */
  live(now: number): string[] {
    return [...this.known.values()]
      .filter((k) => this.aliveAt(k, now))
      .map((k) => k.status.node)
      .sort();
  }

  /**
   * Nodes that went silent: their last word was "up" and it is older than
   * `misses` heartbeats. Unlike a node that said "down" (a clean stop, or its
   * will when the broker saw its connection drop), a silent node may still be
   * running, cut off from this node (a split cluster, a hung broker route).
   */
  silent(now: number): string[] {
    return [...this.known.values()]
      .filter((k) => k.status.state === 'up' && !this.aliveAt(k, now))
      .map((k) => k.status.node)
      .sort();
  }

  /** Every node ever heard of (live or not), sorted. */
  all(): string[] {
    return [...this.known.keys()].sort();
  }

  /** When the next live node will expire (ms, local clock), or null. */
  nextExpiry(now: number): number | null {
    let t: number | null = null;
    for (const k of this.known.values()) {
      if (!this.aliveAt(k, now)) continue;
      const e = k.heardAt + this.misses * k.status.heartbeat * 1000 + 1;
      t = t === null ? e : Math.min(t, e);
    }
    return t;
  }

  view(now: number): MemberView[] {
    return [...this.known.values()]
      .map((k) => ({
        name: k.status.node,
        status: this.aliveAt(k, now) ? ('up' as const) : ('down' as const),
        heardAt: k.heardAt,
        checks: k.status.checks ?? 0,
        version: k.status.version ?? null,
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }
}
