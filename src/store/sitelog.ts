/**
 * The site's volatile log (spec §1.5): WARNING lines as
 * `YYYY-MM-DD HH:MM:SS,mmm message`, cut to the newest 80 when it grows past
 * 120. Kept in SQLite (and in the site file's `log` on save).
 */
import type { Database as Db, Statement } from 'better-sqlite3';
import type { StoreReporter } from './health.ts';

export const LOG_MAX = 100;

export class SiteLogStore {
  private lines: string[];
  /** lines the database refused (a full disk): written before the next line it takes */
  private unsaved: string[] = [];
  private readonly listeners = new Set<(line: string) => void>();
  /** prepared once: a burst of transitions appends thousands of lines */
  private readonly insert: Statement;
  private readonly trim: Statement;
  private readonly write: (lines: string[], keep: number | null) => void;

  constructor(private readonly db: Db, private readonly reporter?: StoreReporter) {
    this.lines = (db.prepare('SELECT line FROM site_log ORDER BY id').all() as { line: string }[]).map((r) => r.line);
    this.insert = db.prepare('INSERT INTO site_log (line) VALUES (?)');
    this.trim = db.prepare('DELETE FROM site_log WHERE id NOT IN (SELECT id FROM site_log ORDER BY id DESC LIMIT ?)');
    this.write = db.transaction((lines: string[], keep: number | null) => {
      for (const l of lines) this.insert.run(l);
      if (keep !== null) this.trim.run(keep);
    });
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
    let keep: number | null = null;
    if (this.lines.length > LOG_MAX * 1.2) {
      this.lines = this.lines.slice(-Math.floor(LOG_MAX * 0.8));
      keep = this.lines.length;
    }
    const lines = [...this.unsaved, line].slice(-this.lines.length);
    try {
      this.write(lines, keep);
      this.unsaved = [];
      this.reporter?.worked('site log');
    } catch (e) {
      this.unsaved = lines;
      this.reporter?.failed('site log', e);
    }
    for (const l of this.listeners) l(line);
  }

  all(): string[] {
    return [...this.lines];
  }

  clear(): void {
    this.lines = [];
    this.unsaved = [];
    this.db.prepare('DELETE FROM site_log').run();
  }

  onLine(fn: (line: string) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}
