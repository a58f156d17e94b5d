/**
 * Incidents of status pages (issue 22): opened, updated and resolved by
 * operators, each update timestamped and signed by its author. Stored in
 * the site database (its own migration set), so they survive restarts;
 * a status page that is removed from the site file keeps its incidents
 * until a page with the same slug returns.
 */
import type { Database as Db, Statement } from 'better-sqlite3';
import { migrate, type MigrationSet } from '../store/db.ts';

export const INCIDENT_MIGRATIONS: MigrationSet = {
  module: 'statuspages',
  steps: [
    `CREATE TABLE incidents (
       id INTEGER PRIMARY KEY,
       page TEXT NOT NULL,
       title TEXT NOT NULL,
       impact TEXT NOT NULL,
       opened INTEGER NOT NULL,
       resolved INTEGER
     );
     CREATE INDEX incidents_page ON incidents (page, opened);
     CREATE TABLE incident_updates (
       id INTEGER PRIMARY KEY,
       incident INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
       t INTEGER NOT NULL,
       status TEXT NOT NULL,
       body TEXT NOT NULL,
       author TEXT NOT NULL
     );
     CREATE INDEX incident_updates_incident ON incident_updates (incident, t);`,
  ],
};

/** How bad it is: drives the page's banner while the incident is open. */
export const IMPACTS = ['minor', 'major'] as const;
export type Impact = (typeof IMPACTS)[number];
/** The usual stages of an incident (Statuspage's words); `resolved` closes it. */
export const STAGES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export type Stage = (typeof STAGES)[number];

export const MAX_TITLE = 200;
export const MAX_BODY = 5000;

export interface IncidentUpdate {
  id: number;
  t: number;
  status: Stage;
  body: string;
  author: string;
}

export interface Incident {
  id: number;
  page: string;
  title: string;
  impact: Impact;
  opened: number;
  resolved: number | null;
  /** newest first */
  updates: IncidentUpdate[];
}

export class IncidentError extends Error {}

function text(v: string, what: string, max: number): string {
  const s = v.trim();
  if (!s) throw new IncidentError(`${what} is empty`);
  if (s.length > max) throw new IncidentError(`${what} is ${s.length} characters long; at most ${max} are allowed`);
  return s;
}

export class IncidentStore {
  private readonly q: Record<'open' | 'update' | 'resolve' | 'one' | 'list' | 'updates', Statement>;

  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {
    migrate(db, [INCIDENT_MIGRATIONS]);
    this.q = {
      open: db.prepare('INSERT INTO incidents (page, title, impact, opened) VALUES (?, ?, ?, ?)'),
      update: db.prepare('INSERT INTO incident_updates (incident, t, status, body, author) VALUES (?, ?, ?, ?, ?)'),
      resolve: db.prepare('UPDATE incidents SET resolved = ? WHERE id = ? AND resolved IS NULL'),
      one: db.prepare('SELECT id, page, title, impact, opened, resolved FROM incidents WHERE id = ?'),
      list: db.prepare(
        'SELECT id, page, title, impact, opened, resolved FROM incidents WHERE page = ? AND (resolved IS NULL OR resolved >= ?) ORDER BY opened DESC, id DESC LIMIT ?',
      ),
      updates: db.prepare('SELECT id, t, status, body, author FROM incident_updates WHERE incident = ? ORDER BY t DESC, id DESC'),
    };
  }

  /** Opens an incident with its first update; returns it. */
  open(page: string, o: { title: string; impact: Impact; status: Stage; body: string; author: string }): Incident {
    const title = text(o.title, 'the title', MAX_TITLE);
    const body = text(o.body, 'the update', MAX_BODY);
    if (!IMPACTS.includes(o.impact)) throw new IncidentError('the impact is minor or major');
    if (!STAGES.includes(o.status)) throw new IncidentError(`the status is one of ${STAGES.join(', ')}`);
    const t = this.now();
    const id = this.db.transaction(() => {
      const n = Number(this.q.open.run(page, title, o.impact, t).lastInsertRowid);
      this.q.update.run(n, t, o.status, body, o.author);
      if (o.status === 'resolved') this.q.resolve.run(t, n);
      return n;
    })();
    return this.get(id)!;
  }

  /** Adds an update; status `resolved` closes the incident. A resolved incident takes no more updates. */
  update(id: number, o: { status: Stage; body: string; author: string }): Incident {
    const body = text(o.body, 'the update', MAX_BODY);
    if (!STAGES.includes(o.status)) throw new IncidentError(`the status is one of ${STAGES.join(', ')}`);
    const cur = this.get(id);
    if (!cur) throw new IncidentError('no such incident');
    if (cur.resolved !== null) throw new IncidentError('the incident is resolved');
    const t = Math.max(this.now(), cur.updates[0]?.t ?? 0);
    this.db.transaction(() => {
      this.q.update.run(id, t, o.status, body, o.author);
      if (o.status === 'resolved') this.q.resolve.run(t, id);
    })();
    return this.get(id)!;
  }

  get(id: number): Incident | null {
    const row = this.q.one.get(id) as Omit<Incident, 'updates'> | undefined;
    return row ? { ...row, updates: this.q.updates.all(id) as IncidentUpdate[] } : null;
  }

  /** A page's open incidents and those resolved since `since`, newest first. */
  forPage(page: string, since: number, limit = 50): Incident[] {
    return (this.q.list.all(page, since, limit) as Omit<Incident, 'updates'>[]).map((r) => ({ ...r, updates: this.q.updates.all(r.id) as IncidentUpdate[] }));
  }
}
