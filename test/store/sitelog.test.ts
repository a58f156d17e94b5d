/**
 * The volatile site log's SQLite copy: written once per event-loop turn
 * (every line of the turn in one transaction), trimmed to what memory holds,
 * and complete when the site stops (read back after a restart).
 */
import { openSite } from '../../src/wiring.ts';
import { describe, it, expect } from 'vitest';
import { setImmediate as turn } from 'node:timers/promises';
import { openDatabase } from '../../src/store/db.ts';
import { SiteLogStore, LOG_MAX } from '../../src/store/sitelog.ts';
import { writeSite } from '../helpers/site.ts';
import { tempDir } from '../servers/common.ts';

const rows = (db: ReturnType<typeof openDatabase>): string[] =>
  (db.prepare('SELECT line FROM site_log ORDER BY id').all() as { line: string }[]).map((r) => r.line);

describe('site log store', () => {
  it("keeps lines in memory at once and writes a turn's lines together at its end", async () => {
    const db = openDatabase(':memory:');
    const log = new SiteLogStore(db);
    const heard: string[] = [];
    log.onLine((l) => heard.push(l));
    log.append('a');
    log.append('b');
    expect(log.all()).toEqual(['a', 'b']);
    expect(heard).toEqual(['a', 'b']);
    expect(rows(db)).toEqual([]);
    await turn();
    expect(rows(db)).toEqual(['a', 'b']);
    db.close();
  });

  it('holds in SQLite exactly what it holds in memory after a burst that overflows it', async () => {
    const db = openDatabase(':memory:');
    const log = new SiteLogStore(db);
    for (let i = 0; i < 50; i++) log.append(`early ${i}`);
    await turn();
    // one turn of a flapping peer: far more lines than the log keeps
    for (let i = 0; i < 1000; i++) log.append(`burst ${i}`);
    await turn();
    expect(log.all().length).toBeLessThanOrEqual(LOG_MAX * 1.2);
    expect(log.all().at(-1)).toBe('burst 999');
    expect(rows(db)).toEqual(log.all());
    // the turn's queue never held more than the lines that can still be written (a backlog's thousands of lines)
    expect(log.mostWaiting).toBeLessThanOrEqual(LOG_MAX * 1.2 * 2);
    // and a reader opened on the same database sees the same
    expect(new SiteLogStore(db).all()).toEqual(log.all());
    db.close();
  });

  it('has every line written up to a stop in SQLite (read back after a restart)', async () => {
    const t = tempDir();
    const path = writeSite(t.dir, { webui: null, checks: {} });
    const a = await openSite({ configPath: path });
    await a.start();
    await turn();
    a.warn('the very last line');
    await a.stop();
    const b = await openSite({ configPath: path });
    expect(b.siteLog.all().at(-1)).toMatch(/ the very last line$/);
    await b.stop();
    t.cleanup();
  });
});
