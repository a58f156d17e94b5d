/**
 * OpsStore keeps which checks have an ack or an escalation row in memory, so
 * a transition of a check with neither costs no SQLite statement
 * (docs/performance.md "Transitions without round trips"). These tests hold
 * the sets to the tables: across a restart, a rename, and a rolled-back
 * transaction.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { join } from 'node:path';
import type { Database as Db } from 'better-sqlite3';
import { openDatabase } from '../../src/store/db.ts';
import { OpsStore } from '../../src/ops/store.ts';
import { tempDir } from '../servers/common.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function open(): { db: Db; path: string } {
  const t = tempDir('sw-opsstore-');
  const path = join(t.dir, 'site.db');
  const db = openDatabase(path);
  cleanups.push(() => t.cleanup());
  cleanups.push(() => db.open && db.close());
  return { db, path };
}

const ack = { episode: 5, by: 'alice', at: 10, comment: 'on it' };
const esc = { episode: 5, base: 10, step: 1 };

describe('OpsStore presence of acks and escalations', () => {
  it('rows written before a restart are found after it', () => {
    const { db, path } = open();
    const s = new OpsStore(db);
    expect(s.ack('a')).toBeNull();
    s.putAck('a', ack);
    s.putEscalation('b', esc);
    db.close();
    const db2 = openDatabase(path);
    cleanups.push(() => db2.close());
    const s2 = new OpsStore(db2);
    expect(s2.ack('a')).toEqual(ack);
    expect(s2.escalation('b')).toEqual(esc);
    expect(s2.ack('b')).toBeNull();
    expect(s2.clearAck('a')).toBe(true);
    expect(s2.clearAck('a')).toBe(false);
    expect(db2.prepare('SELECT count(*) FROM ops_ack').pluck().get()).toBe(0);
  });

  it('a rename moves them (and an old row of the new name gives way)', () => {
    const s = new OpsStore(open().db);
    s.putAck('old', ack);
    s.putAck('new', { ...ack, by: 'bob' });
    s.putEscalation('old', esc);
    s.rename('old', 'new');
    expect(s.ack('old')).toBeNull();
    expect(s.ack('new')).toEqual(ack);
    expect(s.escalation('old')).toBeNull();
    expect(s.escalation('new')).toEqual(esc);
    s.rename('nothing', 'new');
    expect(s.ack('new')).toEqual(ack);
  });

  it('what a rolled-back transaction cleared is seen again', () => {
    const { db } = open();
    const s = new OpsStore(db);
    s.putAck('a', ack);
    s.putEscalation('a', esc);
    expect(() =>
      s.atomically(() => {
        s.clearAck('a');
        s.clearEscalation('a');
        throw new Error('disk full');
      }),
    ).toThrow('disk full');
    expect(s.ack('a')).toEqual(ack);
    expect(s.escalation('a')).toEqual(esc);
  });

  it('an outer transaction rolled back by its owner is put right by reload()', () => {
    const { db } = open();
    const s = new OpsStore(db);
    s.putAck('a', ack);
    expect(() =>
      db.transaction(() => {
        s.clearAck('a');
        s.putEscalation('b', esc);
        throw new Error('disk full');
      })(),
    ).toThrow();
    s.reload();
    expect(s.ack('a')).toEqual(ack);
    expect(s.escalation('b')).toBeNull();
  });
});
