/**
 * The certificate each TLS check was last shown (issue 22, the check page's
 * certificate panel), kept across restarts. Compact: one row per check,
 * written only when the certificate changes (a new fingerprint or chain),
 * not on every run; days left are worked out when the page is drawn. Fed by
 * the site bus's `run` event (the outcome's `cert`, src/checks/shared/cert-summary.ts);
 * a rename moves the row, a removed check loses it.
 */
import type { Database as Db } from 'better-sqlite3';
import { migrate, type MigrationSet } from '../store/db.ts';
import { displayTime } from '../util/time.ts';
import type { SiteBus } from '../engine/events.ts';
import type { CertSummary } from '../checks/shared/cert-summary.ts';

export const CERT_MIGRATIONS: MigrationSet = {
  module: 'web-certs',
  steps: [
    `CREATE TABLE web_certs (
       name TEXT PRIMARY KEY,
       seen INTEGER NOT NULL,
       cert TEXT NOT NULL
     );`,
  ],
};

export interface SeenCert {
  /** when this certificate was first seen (ms) */
  seen: number;
  cert: CertSummary;
}

export class CertStore {
  /** what is in the table, so a run with the same certificate writes nothing */
  private readonly last = new Map<string, string>();
  private readonly q;
  private readonly onRun = (e: { name: string; outcome: { cert?: CertSummary } | null }): void => {
    const cert = e.outcome?.cert;
    if (cert) this.record(e.name, cert);
  };
  private readonly onConfig = (e: { removed: string[]; renamed: [string, string][] }): void => {
    for (const [from, to] of e.renamed) {
      this.q.remove.run(to);
      this.q.rename.run(to, from);
      this.last.delete(from);
      this.last.delete(to);
    }
    for (const n of e.removed) {
      this.q.remove.run(n);
      this.last.delete(n);
    }
  };

  constructor(
    db: Db,
    private readonly now: () => number,
    private readonly bus: SiteBus,
  ) {
    migrate(db, [CERT_MIGRATIONS]);
    this.q = {
      get: db.prepare('SELECT seen, cert FROM web_certs WHERE name = ?'),
      put: db.prepare('INSERT INTO web_certs (name, seen, cert) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET seen = excluded.seen, cert = excluded.cert'),
      remove: db.prepare('DELETE FROM web_certs WHERE name = ?'),
      rename: db.prepare('UPDATE web_certs SET name = ? WHERE name = ?'),
    };
    bus.on('run', this.onRun);
    bus.on('config', this.onConfig);
  }

  close(): void {
    this.bus.off('run', this.onRun);
    this.bus.off('config', this.onConfig);
  }

  record(name: string, cert: CertSummary): void {
    const text = JSON.stringify(cert);
    let prev = this.last.get(name);
    if (prev === undefined) prev = (this.q.get.get(name) as { cert: string } | undefined)?.cert;
    if (prev === text) {
      this.last.set(name, text);
      return;
    }
    try {
      this.q.put.run(name, this.now(), text);
      this.last.set(name, text);
    } catch {
      // a full disk: the panel shows the previous certificate; the store's health reports the disk
    }
  }

  get(name: string): SeenCert | null {
    const r = this.q.get.get(name) as { seen: number; cert: string } | undefined;
    if (!r) return null;
    try {
      return { seen: r.seen, cert: JSON.parse(r.cert) as CertSummary };
    } catch {
      return null;
    }
  }
}

export interface CertVM {
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  /** whole days until notAfter (floor, as the checks count them) */
  daysLeft: number;
  /** expired, fewer than `expiryDays` left, or fine */
  status: 'expired' | 'soon' | 'ok';
  altNames: string | null;
  fingerprint: string;
  chain: { subject: string; issuer: string; validTo: string }[];
  seen: string;
}

const DAY_MS = 86_400_000;

/** The certificate panel's words; `minDays`: the check's expiryDays. */
export function certVM(s: SeenCert, now: number, zone: string | null, minDays: number): CertVM {
  const daysLeft = Math.floor((s.cert.validTo - now) / DAY_MS);
  return {
    subject: s.cert.subject,
    issuer: s.cert.issuer,
    validFrom: displayTime(s.cert.validFrom, zone),
    validTo: displayTime(s.cert.validTo, zone),
    daysLeft,
    status: s.cert.validTo <= now ? 'expired' : daysLeft < minDays ? 'soon' : 'ok',
    altNames: s.cert.altNames,
    fingerprint: s.cert.fingerprint,
    chain: s.cert.chain.map((l) => ({ subject: l.subject, issuer: l.issuer, validTo: displayTime(l.validTo, zone) })),
    seen: displayTime(s.seen, zone),
  };
}
