/**
 * The decision trace in SQLite (src/ops/store.ts): a row of columns per
 * decision (ops migration 3; a JSON document per transition before). What is
 * read back is the decision as it was written — the same keys in the same
 * order, so the API and the check page show what they showed — and rows
 * written by the old layout read back the same after the migration.
 */
import { describe, it, expect } from 'vitest';
import { openDatabase, migrate } from '../../src/store/db.ts';
import { OpsStore, OPS_MIGRATIONS } from '../../src/ops/store.ts';
import type { Decision } from '../../src/ops/trace.ts';

const base: Decision = {
  t: 1_765_000_000_000,
  kind: 'transition',
  to: 'FAIL',
  from: 'PASS',
  result: 'seq 9339 connection refused',
  failCount: 1,
  threshold: 1,
  retries: 0,
  dependency: null,
  maintenance: null,
  ack: null,
  escalationStep: null,
  notified: [],
  skipped: [],
  summary: 'FAIL: nobody notified: the check has no actions',
};

// every shape a decision takes: no actions, notified and skipped, in maintenance, acknowledged, an escalation step, the end of a window
const decisions: Decision[] = [
  base,
  {
    ...base,
    t: base.t + 1,
    to: 'PASS',
    from: 'FAIL',
    result: null,
    failCount: 0,
    notified: ['mail', 'hook'],
    skipped: [{ action: 'sms', why: 'the action has a configuration error' }],
    summary: 'PASS: notified mail, hook',
  },
  {
    ...base,
    t: base.t + 2,
    dependency: 'router',
    maintenance: 'nightly "backup"',
    skipped: [{ action: 'mail', why: 'in maintenance (window "nightly \\"backup\\"")' }],
    summary: 'FAIL: nobody notified: in maintenance',
  },
  {
    ...base,
    t: base.t + 3,
    kind: 'escalation',
    ack: { by: 'ops@example.org', at: base.t + 2, comment: 'looking, “ü” 🔧' },
    escalationStep: 2,
    notified: ['pager'],
    summary: 'unacknowledged for 15 min: escalation step 2 notified pager',
  },
  {
    ...base,
    t: base.t + 4,
    kind: 'maintenance-end',
    from: 'maintenance',
    retries: 3,
    threshold: 2,
    failCount: 5,
    summary: 'still failing when maintenance "w" ended: nobody to notify',
  },
];

/** Newest first, as the store reads them. */
const newestFirst = [...decisions].reverse();

describe('decision trace rows', () => {
  it('reads back every decision as written: equal, and the same JSON (key order included)', () => {
    const db = openDatabase(':memory:');
    const store = new OpsStore(db);
    for (const d of decisions) store.addDecision('web', d);
    store.addDecision('other', base);
    const back = store.decisions('web');
    expect(back).toEqual(newestFirst);
    expect(JSON.stringify(back)).toBe(JSON.stringify(newestFirst));
    expect(store.decisions('web', 2)).toEqual(newestFirst.slice(0, 2));
    // a decision without lists keeps no JSON at all
    expect(db.prepare("SELECT count(*) AS n FROM ops_decision WHERE check_name = 'other' AND notified IS NULL AND skipped IS NULL").get()).toEqual({ n: 1 });
    db.close();
  });

  it('renames and prunes by the row', () => {
    const db = openDatabase(':memory:');
    const store = new OpsStore(db);
    for (const d of decisions) store.addDecision('web', d);
    store.rename('web', 'www');
    expect(store.decisions('web')).toEqual([]);
    store.prune(base.t + 3);
    expect(store.decisions('www')).toEqual(newestFirst.slice(0, 2));
    db.close();
  });

  it('ops migration 3 moves rows of the JSON layout over unchanged', () => {
    const db = openDatabase(':memory:');
    // the database as the previous release left it: ops migrations 1–2, a JSON document per decision
    migrate(db, [{ module: 'ops', steps: OPS_MIGRATIONS.steps.slice(0, 2) }]);
    const old = db.prepare('INSERT INTO ops_trace (check_name, t, decision) VALUES (?, ?, ?)');
    for (const d of decisions) old.run('web', d.t, JSON.stringify(d));
    old.run('other', base.t, JSON.stringify(base));
    const store = new OpsStore(db);
    const back = store.decisions('web');
    expect(JSON.stringify(back)).toBe(JSON.stringify(newestFirst));
    expect(store.decisions('other')).toEqual([base]);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'ops_trace'").get()).toEqual({ n: 0 });
    // new rows follow the moved ones (ids continue: newest first still holds)
    store.addDecision('web', { ...base, t: base.t + 10, summary: 'later' });
    expect(store.decisions('web', 1)[0]!.summary).toBe('later');
    db.close();
  });
});
