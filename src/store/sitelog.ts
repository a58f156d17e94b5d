/**
 * The site's volatile log (spec §1.5): WARNING lines as
 * `YYYY-MM-DD HH:MM:SS,mmm message`, cut to the newest 80 when it grows past
 * 120. Kept in memory and in SQLite (and in the site file's `log` on save).
 *
 * Lines are in memory (and told to listeners) at once; the SQLite copy is
 * written once per event-loop turn, every line of the turn in one
 * transaction, as results are (site-runtime.ts). A flapping peer makes
 * thousands of transitions a second, each one or two lines: one autocommit
 * INSERT per line was a fifth of the CPU of MQTT ingest (docs/performance.md).
 */
import type { Database as Db, Statement } from 'better-sqlite3';
import type { StoreReporter } from './health.ts';

export const LOG_MAX = 100;
const HIGH = LOG_MAX * 1.2;

export class SiteLogStore {
  private lines: string[];
  /** rows in the table (trimmed to the lines in memory when past HIGH) */
  private rows: number;
  /** lines appended in this turn, not yet in SQLite */
  private queued: string[] = [];
  /** the most lines that ever waited for a write (tests: the queue stays bounded in a burst) */
  mostWaiting = 0;
  private scheduled = false;
  private readonly listeners = new Set<(line: string) => void>();
  private readonly insert: Statement;
  private readonly trim: Statement;
  private readonly inTransaction: (fn: () => void) => void;

  constructor(
    private readonly db: Db,
    private readonly reporter?: StoreReporter,
  ) {
    this.lines = (db.prepare('SELECT line FROM site_log ORDER BY id').all() as { line: string }[]).map((r) => r.line);
    this.rows = this.lines.length;
    this.insert = db.prepare('INSERT INTO site_log (line) VALUES (?)');
    this.trim = db.prepare('DELETE FROM site_log WHERE id NOT IN (SELECT id FROM site_log ORDER BY id DESC LIMIT ?)');
    this.inTransaction = db.transaction((fn: () => void) => fn());
  }

  /** Seeds from the site file's `log` when the store has none (first start on a fletchck file). */
  seed(lines: unknown): void {
    if (this.lines.length > 0 || !Array.isArray(lines)) return;
    for (const l of lines) if (typeof l === 'string') this.append(l);
  }

  /**
   * Adds a line. Never throws: a line the database refuses stays in memory
   * (the log is shown from memory) and is written with a later one; the
   * reporter hears of the failure and of the recovery.
   */
  append(line: string): void {
    this.lines.push(line);
    if (this.lines.length > HIGH) this.lines = this.lines.slice(-Math.floor(LOG_MAX * 0.8));
    this.queued.push(line);
    // only lines still in memory are ever written (flush): a turn of thousands of lines (an MQTT backlog) keeps no more than those
    if (this.queued.length > 2 * HIGH) this.queued = this.queued.slice(-this.lines.length);
    if (this.queued.length > this.mostWaiting) this.mostWaiting = this.queued.length;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
    for (const l of this.listeners) l(line);
  }

  /**
   * Writes the queued lines in one transaction (the end of a turn; Site.stop
   * calls it before closing the database). Only lines still in memory are
   * written, and the table is trimmed to them, so it holds what the memory holds.
   */
  readonly flush = (): void => {
    this.scheduled = false;
    const q = this.queued;
    if (q.length === 0) return;
    this.queued = [];
    if (!this.db.open) return;
    // lines the database refused before (a full disk) are written first; only
    // lines still in memory are written, and the table is trimmed to them
    const keep = Math.min(q.length, this.lines.length);
    try {
      this.inTransaction(() => {
        for (let i = q.length - keep; i < q.length; i++) this.insert.run(q[i]);
        if (this.rows + keep > HIGH) this.trim.run(this.lines.length);
      });
      this.rows = this.rows + keep > HIGH ? this.lines.length : this.rows + keep;
      this.reporter?.worked('site log');
    } catch (e) {
      // a volatile log that cannot be written (disk full) must not stop the
      // site: the lines stay in memory, are written with a later line, and go
      // into the site file on save; the reporter says so loudly
      this.queued = [...q.slice(q.length - keep), ...this.queued].slice(-this.lines.length);
      this.reporter?.failed('site log', e);
    }
  };

  all(): string[] {
    return [...this.lines];
  }

  clear(): void {
    this.lines = [];
    this.queued = [];
    this.rows = 0;
    this.db.prepare('DELETE FROM site_log').run();
  }

  onLine(fn: (line: string) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}
