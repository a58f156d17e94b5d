/** Incidents: opened, updated, resolved, durable across a reopened database, refused when empty or too long. */
import { describe, it, expect, afterEach } from 'vitest';
import { join } from 'node:path';
import { openDatabase } from '../../src/store/db.ts';
import { IncidentError, IncidentStore, MAX_BODY } from '../../src/status-pages/incidents.ts';
import { tempDir } from '../servers/common.ts';

let cleanup: (() => void) | null = null;
afterEach(() => cleanup?.());

describe('IncidentStore', () => {
  it('keeps an incident with its updates across a restart', () => {
    const t = tempDir('sw-inc-');
    cleanup = t.cleanup;
    const path = join(t.dir, 'site.db');
    let now = 1_000;
    const db = openDatabase(path);
    const s = new IncidentStore(db, () => now);
    const i = s.open('main', { title: 'Mail is slow', impact: 'minor', status: 'investigating', body: 'Looking into it', author: 'olly' });
    now = 2_000;
    s.update(i.id, { status: 'identified', body: 'A full disk', author: 'olly' });
    now = 3_000;
    s.update(i.id, { status: 'resolved', body: 'Fixed', author: 'admin' });
    expect(() => s.update(i.id, { status: 'monitoring', body: 'again', author: 'olly' })).toThrow(/resolved/);
    db.close();

    const again = new IncidentStore(openDatabase(path), () => now);
    const got = again.get(i.id)!;
    expect(got).toMatchObject({ page: 'main', title: 'Mail is slow', impact: 'minor', opened: 1_000, resolved: 3_000 });
    expect(got.updates.map((u) => [u.t, u.status, u.body, u.author])).toEqual([
      [3_000, 'resolved', 'Fixed', 'admin'],
      [2_000, 'identified', 'A full disk', 'olly'],
      [1_000, 'investigating', 'Looking into it', 'olly'],
    ]);
    // resolved long ago: not listed; open ones always are
    expect(again.forPage('main', 3_001)).toEqual([]);
    expect(again.forPage('main', 0).map((x) => x.id)).toEqual([i.id]);
    expect(again.forPage('other', 0)).toEqual([]);
  });

  it('refuses an empty title or update and a too long one', () => {
    const t = tempDir('sw-inc-');
    cleanup = t.cleanup;
    const s = new IncidentStore(openDatabase(join(t.dir, 'site.db')), () => 1);
    expect(() => s.open('a', { title: '  ', impact: 'minor', status: 'investigating', body: 'x', author: 'o' })).toThrow(IncidentError);
    expect(() => s.open('a', { title: 'T', impact: 'minor', status: 'investigating', body: 'x'.repeat(MAX_BODY + 1), author: 'o' })).toThrow(/at most/);
    expect(s.forPage('a', 0)).toEqual([]);
  });
});
