/**
 * Does this node hear the zone? (docs/ha.md "A node that hears nobody")
 * Every node subscribes to the zone's statuses, its own included, so each
 * "up" it publishes comes back to it — a live copy: the retained copy the
 * broker replays at subscribe time (RETAIN set, MQTT 3.1.1 §3.3.1.3) is what
 * it stored earlier and proves nothing (service.ts). While it is connected, a node that has
 * not heard itself for `beats` heartbeats AND `limitMs` hears nobody (both:
 * a stalled event loop runs a late heartbeat before the echo waiting in the
 * socket, so time alone would misjudge a busy node): the broker refused its
 * subscription (NATS answers SUBACK 0x80 when it cannot create the JetStream
 * consumer, e.g. while its cluster has lost quorum after servers were
 * killed), or accepts publishes but delivers nothing. Such a node is not in
 * the zone: service.ts says so and reconnects (through `mqtt.servers`, to
 * the next server). Pure, on the caller's clock.
 */
export type Hears = 'yes' | 'no' | 'stopped';

export class Hearing {
  /** the later of: connected, last heard itself; null while disconnected */
  private since: number | null = null;
  private deaf = false;
  /** heartbeats since `since` */
  private beats = 0;

  constructor(
    readonly limitMs: number,
    private readonly maxBeats: number,
  ) {}

  /** A new connection: the clock starts again (a deaf node stays deaf until it hears itself). */
  connected(now: number): void {
    this.since = now;
    this.beats = 0;
  }

  disconnected(): void {
    this.since = null;
  }

  /** Its own status came back; true when it had stopped hearing the zone before. */
  heard(now: number): boolean {
    this.since = now;
    this.beats = 0;
    const was = this.deaf;
    this.deaf = false;
    return was;
  }

  /** At each heartbeat. 'stopped': it just stopped hearing the zone; 'no': still deaf; 'yes': fine (or not connected). */
  check(now: number): Hears {
    if (this.since === null) return 'yes';
    this.beats++;
    if (this.beats <= this.maxBeats || now - this.since <= this.limitMs) return 'yes';
    this.since = now; // the next verdict one limit later (one reconnect per limit)
    this.beats = 0;
    if (this.deaf) return 'no';
    this.deaf = true;
    return 'stopped';
  }

  get hearsNobody(): boolean {
    return this.deaf;
  }
}
