/**
 * The outbox's memory for when the database refuses writes (a full disk,
 * issue 16). Two things are kept until the database takes them:
 *
 * - HeldQueue: notifications that could not be queued in the database. The
 *   worker delivers them from here (each action in order, oldest first,
 *   retried like stored rows) and moves them into the database as soon as
 *   it accepts them. Bounded: past MAX_HELD the oldest go, loudly.
 * - Unrecorded: outcomes of deliveries of stored rows that could not be
 *   written (sent, retry, failed). The worker treats the row as updated —
 *   a row sent is never sent again because its `sent` did not stick — and
 *   writes the updates, in order, once the database accepts them.
 */
import type { ActionError, Notification } from '../types.ts';
import type { OutboxRow } from './store.ts';
import { deliveryOf } from './delivery-id.ts';

/** Notifications kept in memory at most (all actions). */
export const MAX_HELD = 1000;

export interface HeldRow {
  uid: string;
  action: string;
  check: string | null;
  n: Notification;
  created: number;
  attempts: number;
  nextAt: number;
  lastError: string | null;
  /** being sent now: neither moved to the database nor sent twice */
  inflight: boolean;
}

export class HeldQueue {
  private readonly byAction = new Map<string, HeldRow[]>();
  private size = 0;
  /** rows delivered from memory whose record the database has not taken yet (kept for the deliveries list) */
  private sentRows: { row: HeldRow; at: number }[] = [];
  /** rows pushed out since memory was last empty */
  private lost = 0;

  /** Adds a row; when full, returns the oldest row it pushed out, `first` for the first loss since memory was empty (said loudly). */
  add(row: HeldRow): { row: HeldRow; first: boolean } | null {
    const list = this.byAction.get(row.action) ?? [];
    list.push(row);
    this.byAction.set(row.action, list);
    this.size++;
    if (this.size <= MAX_HELD) return null;
    let oldest: HeldRow | null = null;
    for (const l of this.byAction.values()) {
      const first = l.find((r) => !r.inflight);
      if (first && (!oldest || first.created < oldest.created)) oldest = first;
    }
    if (!oldest) return null;
    this.remove(oldest);
    return { row: oldest, first: this.lost++ === 0 };
  }

  /** Nothing waits: no row to send, no record to write. */
  get empty(): boolean {
    return this.size === 0 && this.sentRows.length === 0;
  }

  remove(row: HeldRow): void {
    const list = this.byAction.get(row.action);
    const i = list?.indexOf(row) ?? -1;
    if (!list || i < 0) return;
    list.splice(i, 1);
    this.size--;
    if (list.length === 0) this.byAction.delete(row.action);
    if (this.size === 0) this.lost = 0;
  }

  head(action: string): HeldRow | undefined {
    return this.byAction.get(action)?.[0];
  }

  actions(): string[] {
    return [...this.byAction.keys()];
  }

  /** Rows not being sent, oldest first per action (to move into the database). */
  idle(): HeldRow[] {
    return [...this.byAction.values()].flat().filter((r) => !r.inflight);
  }

  count(action?: string): number {
    return action === undefined ? this.size : (this.byAction.get(action)?.length ?? 0);
  }

  /** A row that went out: no longer waiting; its record waits for the database (the oldest records go past MAX_HELD). */
  sent(row: HeldRow, at: number): void {
    this.remove(row);
    this.sentRows.push({ row, at });
    if (this.sentRows.length > MAX_HELD) this.sentRows.shift();
  }

  /** Records of rows sent from memory, to write; `written` drops them once they are. */
  sentRecords(): { row: HeldRow; at: number }[] {
    return [...this.sentRows];
  }

  written(n: number): void {
    this.sentRows.splice(0, n);
  }
}

/** How a stored row looks to the worker once the updates it could not write are counted. */
export interface RowView {
  /** sent or given up: not to be sent again */
  done: boolean;
  nextAt: number;
  attempts: number;
}

interface Update {
  id: number;
  action: string;
  done: boolean;
  nextAt: number | null;
  write: () => void;
}

export class Unrecorded {
  private readonly updates: Update[] = [];

  /** An update of stored row `row` the database refused; `write` does it when it can. */
  add(row: OutboxRow, u: { done: boolean; nextAt?: number }, write: () => void): void {
    this.updates.push({ id: row.id, action: row.action, done: u.done, nextAt: u.nextAt ?? null, write });
  }

  get size(): number {
    return this.updates.length;
  }

  /** Updates waiting for rows of `action` (how many extra rows its head query must read). */
  countFor(action: string): number {
    return this.updates.filter((u) => u.action === action).length;
  }

  /** The row as the worker must see it. */
  view(row: OutboxRow): RowView {
    let done = false;
    let nextAt = row.next_at;
    let attempts = row.attempts;
    for (const u of this.updates) {
      if (u.id !== row.id) continue;
      attempts++;
      if (u.done) done = true;
      if (u.nextAt !== null) nextAt = u.nextAt;
    }
    return { done, nextAt, attempts };
  }

  /** Writes every update in order in one transaction (throws and keeps them when the database refuses). */
  flush(inTransaction: (fn: () => void) => void): void {
    if (this.updates.length === 0) return;
    inTransaction(() => {
      for (const u of this.updates) u.write();
    });
    this.updates.length = 0;
  }
}

/**
 * Writes what memory holds — the updates in order, the records of rows sent
 * from memory, the rows still waiting (as pending) — in one transaction, and
 * forgets them. Throws, keeping everything, when the database refuses.
 */
export function persistMemory(
  held: HeldQueue,
  unrecorded: Unrecorded,
  store: { restore(r: HeldRow, sentAt: number | null): void },
  inTransaction: (fn: () => void) => void,
): void {
  unrecorded.flush(inTransaction);
  const sent = held.sentRecords();
  const rows = held.idle();
  inTransaction(() => {
    for (const s of sent) store.restore(s.row, s.at);
    for (const r of rows) store.restore(r, null);
  });
  held.written(sent.length);
  for (const r of rows) held.remove(r);
}

/** Adds `n` to memory once for each action; `warn` says so (once) when memory is full and the oldest go. */
export function holdEach(held: HeldQueue, actions: readonly string[], n: Notification, now: number, uid: () => string, warn: (msg: string) => void): void {
  for (const action of actions) {
    const id = deliveryOf(n, action, uid);
    const check = n.kind === 'digest' || n.kind === 'test' ? null : n.check.name;
    const pushed = held.add({
      uid: id,
      action,
      check,
      n: { ...n, id },
      created: now,
      attempts: 0,
      nextAt: now,
      lastError: null,
      inflight: false,
    });
    if (pushed?.first)
      warn(`More than ${MAX_HELD} notifications wait in memory: the oldest are dropped (first: ${pushed.row.action} about ${pushed.row.check ?? 'a digest'})`);
  }
}

/** What sending a row kept in memory needs from the worker. */
export interface HeldDelivery {
  held: HeldQueue;
  now(): number;
  /** sends once; resolves null when delivered, the error otherwise */
  send(action: string, n: Notification): Promise<ActionError | null>;
  /** logs a failed try; when to try again, or null when given up */
  afterFailure(row: HeldRow, err: ActionError): number | null;
  /** moves what memory holds into the database if it takes it */
  persist(): void;
}

/** Sends a notification kept in memory; once sent it is recorded as sent when the database takes it. */
export async function sendHeld(row: HeldRow, d: HeldDelivery): Promise<'next' | 'blocked'> {
  row.inflight = true;
  let err: ActionError | null;
  try {
    err = await d.send(row.action, row.n);
  } finally {
    row.inflight = false;
  }
  row.attempts++;
  if (err === null) {
    // delivered: its record is written with what memory holds, once the database takes it
    d.held.sent(row, d.now());
    d.persist();
    return 'next';
  }
  row.lastError = err.message;
  const next = d.afterFailure(row, err);
  if (next === null) {
    d.held.remove(row);
    return 'next';
  }
  row.nextAt = next;
  return 'blocked';
}
