/**
 * The site's volatile log (spec §1.5): WARNING lines as
 * `YYYY-MM-DD HH:MM:SS,mmm message`, cut to the newest 80 when it grows past
 * 120. Kept in SQLite (and in the site file's `log` on save).
 */
import type { Database as Db, Statement } from 'better-sqlite3';

export const LOG_MAX = 100;

export class SiteLogStore {
  private lines: string[];
  private readonly listeners = new Set<(line: string) => void>();
  /** prepared once: a burst of transitions appends thousands of lines */
  private readonly insert: Statement;
  private readonly trim: Statement;

  constructor(private readonly db: Db) {
    this.lines = (db.prepare('SELECT line FROM site_log ORDER BY id').all() as { line: string }[]).map((r) => r.line);
    this.insert = db.prepare('INSERT INTO site_log (line) VALUES (?)');
    this.trim = db.prepare('DELETE FROM site_log WHERE id NOT IN (SELECT id FROM site_log ORDER BY id DESC LIMIT ?)');
  }

  /** Seeds from the site file's `log` when the store has none (first start on a fletchck file). */
  seed(lines: unknown): void {
    if (this.lines.length > 0 || !Array.isArray(lines)) return;
    for (const l of lines) if (typeof l === 'string') this.append(l);
  }

  append(line: string): void {
    this.lines.push(line);
    this.insert.run(line);
    if (this.lines.length > LOG_MAX * 1.2) {
      this.lines = this.lines.slice(-Math.floor(LOG_MAX * 0.8));
      this.trim.run(this.lines.length);
    }
    for (const l of this.listeners) l(line);
  }

  all(): string[] {
    return [...this.lines];
  }

  clear(): void {
    this.lines = [];
    this.db.prepare('DELETE FROM site_log').run();
  }

  onLine(fn: (line: string) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}
