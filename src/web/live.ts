/**
 * Live updates over Server-Sent Events (no page polls, spec §8.1 "no live
 * display" fixed). The hub listens to the site bus, batches what changed for
 * a short moment, and sends each open page the partials it shows — as htmx
 * out-of-band swaps keyed by element id — or a named event (`sw-config`)
 * when the page should reload a part of itself.
 */
import { performance } from 'node:perf_hooks';
import type { WebSite } from './web-site.ts';
import { emptyChange, mergeChange, type FleetChange } from '../fleet/changes.ts';
import type { FleetSource } from '../fleet/service.ts';

export type LiveView =
  | { kind: 'home' }
  | { kind: 'checks'; query: string }
  | { kind: 'check'; name: string }
  | { kind: 'log' }
  | { kind: 'hosts' }
  | { kind: 'fleet'; query: string }
  | { kind: 'page' };

export function parseView(get: (k: string) => string | undefined): LiveView {
  switch (get('view')) {
    case 'home':
      return { kind: 'home' };
    case 'checks': {
      const p = new URLSearchParams();
      for (const k of ['q', 'type', 'state', 'instance', 'tag', 'per', 'page']) {
        const v = get(k);
        if (v) p.set(k, v);
      }
      return { kind: 'checks', query: p.toString() };
    }
    case 'check':
      return { kind: 'check', name: get('name') ?? '' };
    case 'log':
      return { kind: 'log' };
    case 'hosts':
      return { kind: 'hosts' };
    case 'fleet': {
      const p = new URLSearchParams();
      for (const k of ['state', 'zone', 'page']) {
        const v = get(k)?.slice(0, 128);
        if (v) p.set(k, v);
      }
      return { kind: 'fleet', query: p.toString() };
    }
    default:
      return { kind: 'page' };
  }
}

export function viewQuery(v: LiveView): string {
  switch (v.kind) {
    case 'checks':
    case 'fleet':
      return `view=${v.kind}${v.query ? `&${v.query}` : ''}`;
    case 'check':
      return `view=check&name=${encodeURIComponent(v.name)}`;
    default:
      return `view=${v.kind}`;
  }
}

/** What changed since the last flush. */
export interface Batch {
  /** checks whose state changed */
  states: Set<string>;
  /** checks that ran (history changed) */
  ran: Set<string>;
  /** configuration changes */
  config: { changed: Set<string>; removed: Set<string>; renamed: [string, string][] } | null;
  /** new site log lines */
  lines: string[];
  /** what changed in the zones this instance watches (src/fleet/changes.ts) */
  fleet: FleetChange | null;
}

export interface LiveMessage {
  event?: string;
  data: string;
}

export interface LiveClient {
  view: LiveView;
  /** session row id; the stream ends when the session does */
  session: string;
  csrf: string;
  operate: boolean;
  send(m: LiveMessage): Promise<void>;
  ping(): Promise<void>;
  close(): void;
}

export type Render = (client: LiveClient, batch: Batch) => Promise<LiveMessage[]>;

export interface HubOptions {
  /** batch window (ms): at most one batch per window */
  flushMs?: number;
  /** a change after a quiet window goes out this soon (ms), with whatever else the same turn brought (a run's state, run and log events) */
  leadMs?: number;
  /** keep-alive comment interval (ms) */
  pingMs?: number;
  /** whether a session is still valid (logout and password changes end streams) */
  alive: (session: string) => boolean;
  /** the zones this instance watches (/fleet), when it has a `fleet` key */
  fleet?: FleetSource | null;
}

export class LiveHub {
  private readonly clients = new Set<LiveClient>();
  private batch: Batch = LiveHub.empty();
  private timer: NodeJS.Timeout | null = null;
  private readonly pingTimer: NodeJS.Timeout;
  private readonly off: (() => void)[] = [];
  private readonly flushMs: number;
  private readonly leadMs: number;
  /** when the last batch went out (performance.now()) */
  private lastFlush = -Infinity;

  constructor(
    site: WebSite,
    private readonly render: Render,
    private readonly o: HubOptions,
  ) {
    this.flushMs = o.flushMs ?? 250;
    this.leadMs = Math.min(o.leadMs ?? 20, this.flushMs);
    const on = <E extends 'state' | 'run' | 'config' | 'log'>(event: E, fn: (...a: never[]) => void): void => {
      site.bus.on(event, fn as never);
      this.off.push(() => site.bus.off(event, fn as never));
    };
    on('state', (e: { name: string }) => this.mark(() => this.batch.states.add(e.name)));
    on('run', (e: { name: string }) => this.mark(() => this.batch.ran.add(e.name)));
    on('log', (e: { line: string }) => this.mark(() => this.batch.lines.push(e.line)));
    on('config', (e: { changed: string[]; removed: string[]; renamed: [string, string][] }) =>
      this.mark(() => {
        const c = (this.batch.config ??= { changed: new Set(), removed: new Set(), renamed: [] });
        for (const n of e.changed) c.changed.add(n);
        for (const n of e.removed) c.removed.add(n);
        c.renamed.push(...e.renamed);
      }),
    );
    if (o.fleet) this.off.push(o.fleet.onChange((c) => this.mark(() => mergeChange((this.batch.fleet ??= emptyChange()), c))));
    // real timers: the keep-alive is about sockets and proxies, not check time
    this.pingTimer = setInterval(() => void this.pingAll(), o.pingMs ?? 25_000);
    this.pingTimer.unref();
  }

  private static empty(): Batch {
    return { states: new Set(), ran: new Set(), config: null, lines: [], fleet: null };
  }

  get size(): number {
    return this.clients.size;
  }

  add(client: LiveClient): void {
    this.clients.add(client);
  }

  remove(client: LiveClient): void {
    this.clients.delete(client);
  }

  private mark(fn: () => void): void {
    if (this.clients.size === 0) return;
    fn();
    if (!this.timer) {
      // issue 22 (run → row < 500 ms): the first change after a quiet window goes out almost at once; while
      // changes keep coming (10,000 checks), they still go out at most once per window, batched
      const wait = Math.max(this.leadMs, this.lastFlush + this.flushMs - performance.now());
      this.timer = setTimeout(() => void this.flush(), wait);
      this.timer.unref();
    }
  }

  /** Sends the batched changes to every client now. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.lastFlush = performance.now();
    const batch = this.batch;
    this.batch = LiveHub.empty();
    await Promise.all(
      [...this.clients].map(async (c) => {
        if (!this.o.alive(c.session)) {
          this.drop(c);
          return;
        }
        try {
          for (const m of await this.render(c, batch)) await c.send(m);
        } catch {
          this.drop(c);
        }
      }),
    );
  }

  private async pingAll(): Promise<void> {
    await Promise.all(
      [...this.clients].map(async (c) => {
        if (!this.o.alive(c.session)) {
          this.drop(c);
          return;
        }
        await c.ping().catch(() => this.drop(c));
      }),
    );
  }

  private drop(c: LiveClient): void {
    this.clients.delete(c);
    c.close();
  }

  /** Ends every stream (server stop). */
  close(): void {
    for (const f of this.off) f();
    this.off.length = 0;
    if (this.timer) clearTimeout(this.timer);
    clearInterval(this.pingTimer);
    for (const c of [...this.clients]) this.drop(c);
  }
}
