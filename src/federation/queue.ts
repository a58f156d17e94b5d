/**
 * The bounded outbound queue (siteward, beyond fletchck): messages published
 * while the broker is unreachable wait here and go out in order on reconnect,
 * so a state change made during an outage is not lost at QoS 1. fletchck
 * drops them (its publish is a no-op without a connection).
 *
 * When full, the oldest message that a newer message to the same topic
 * supersedes is dropped first (the retained value stays right); only when
 * every queued topic is distinct does the oldest message go.
 */

export interface Outgoing {
  topic: string;
  payload: Buffer;
  qos: 0 | 1 | 2;
  retain: boolean;
}

export class OutboundQueue {
  private items: Outgoing[] = [];
  /** messages dropped because the queue was full */
  dropped = 0;

  constructor(private limit: number) {}

  get size(): number {
    return this.items.length;
  }

  setLimit(limit: number): void {
    this.limit = Math.max(0, limit);
    while (this.items.length > this.limit) this.dropOne();
  }

  push(m: Outgoing): void {
    if (this.limit === 0) {
      this.dropped++;
      return;
    }
    if (this.items.length >= this.limit) this.dropOne();
    this.items.push(m);
  }

  /** Takes every queued message, oldest first. */
  take(): Outgoing[] {
    const out = this.items;
    this.items = [];
    return out;
  }

  /** Puts messages back at the front (a drain interrupted by a disconnect). */
  unshift(ms: Outgoing[]): void {
    this.items = [...ms, ...this.items];
    while (this.items.length > this.limit) this.dropOne();
  }

  private dropOne(): void {
    const later = new Set<string>();
    let victim = 0;
    // scan from the newest: the first older entry whose topic was already seen is superseded
    for (let i = this.items.length - 1; i >= 0; i--) {
      const t = this.items[i].topic;
      if (later.has(t)) victim = i;
      later.add(t);
    }
    this.items.splice(victim, 1);
    this.dropped++;
  }
}
