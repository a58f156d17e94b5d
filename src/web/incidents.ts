/**
 * A check's incident timeline (issue 22, per check): each FAIL period with
 * its start, end and duration, the run logs that opened and closed it, the
 * notifications sent about it with their delivery status (the outbox), and
 * the people who paused, resumed, acknowledged or ran it by hand meanwhile
 * (the site log, spec §1.5). Built from narrow inputs so it is a pure
 * function, table-tested in test/web/incidents.test.ts.
 *
 * Bounded: it reads at most MAX_TRANSITIONS transitions (the newest), so
 * at most half as many incidents, shown PER_PAGE a page, newest first.
 * A period that began before the oldest transition read is left out.
 */
import type { DeliveryRecord } from '../actions/dispatch.ts';
import type { TransitionRow } from '../store/state.ts';
import { displayTime, logStamp } from '../util/time.ts';

export const MAX_TRANSITIONS = 400;
export const MAX_DELIVERIES = 500;
export const PER_PAGE = 10;

export interface IncidentVM {
  start: string;
  /** null: still failing */
  end: string | null;
  duration: string;
  /** the log of the run that turned it FAIL */
  opened: string[];
  /** the log of the run that ended it, null while it lasts */
  closed: string[] | null;
  /** what it turned into at the end (PASS, or WARN when it eased) */
  endedAs: string | null;
  notifications: DeliveryRecord[];
  /** site log lines about the check during the period: paused, resumed, acknowledged, run by hand, maintenance */
  people: string[];
}

export interface IncidentPage {
  incidents: IncidentVM[];
  page: number;
  pages: number;
  total: number;
}

export interface IncidentInputs {
  name: string;
  now: number;
  /** newest first, as StateStore.transitions gives them */
  transitions: readonly TransitionRow[];
  /** the check's deliveries (any order); null: the notifier keeps none */
  deliveries: readonly DeliveryRecord[] | null;
  /** the site log (oldest first), lines `YYYY-MM-DD HH:MM:SS,mmm message` in the site's zone */
  siteLog: readonly string[];
  /** the check's zone, for the times shown */
  zone: string | null;
  /** the site's zone: the log stamps' */
  siteZone: string | null;
}

/** "42 s", "5 min 3 s", "2 h 5 min", "3 d 4 h": the two largest units. */
export function durationText(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const units: [number, string][] = [
    [Math.floor(s / 86_400), 'd'],
    [Math.floor(s / 3600) % 24, 'h'],
    [Math.floor(s / 60) % 60, 'min'],
    [s % 60, 's'],
  ];
  const first = units.findIndex(([v]) => v > 0);
  if (first < 0) return '0 s';
  return units
    .slice(first, first + 2)
    .filter(([v]) => v > 0)
    .map(([v, u]) => `${v} ${u}`)
    .join(' ');
}

interface Period {
  start: number;
  end: number | null;
  opened: string[];
  closed: string[] | null;
  endedAs: string | null;
}

/** FAIL periods, oldest first: opened by a transition to FAIL, ended by the next one to anything else. */
export function failPeriods(transitions: readonly TransitionRow[]): Period[] {
  const out: Period[] = [];
  let open: Period | null = null;
  for (let i = transitions.length - 1; i >= 0; i--) {
    const t = transitions[i];
    if (t.to === 'FAIL') {
      if (!open) open = { start: t.t, end: null, opened: t.log, closed: null, endedAs: null };
    } else if (open) {
      open.end = t.t;
      open.closed = t.log;
      open.endedAs = t.to;
      out.push(open);
      open = null;
    }
  }
  if (open) out.push(open);
  return out;
}

/** Site log lines a person caused about `name`: "<name> paused by …", "<name> acknowledged by …" (not the engine's "<name> (type) FAIL"). */
function aboutBy(name: string, line: string): boolean {
  const msg = line.slice(24);
  return msg.startsWith(`${name} `) && !msg.startsWith(`${name} (`) && msg.includes(' by ');
}

export function incidentPage(i: IncidentInputs, page = 1, perPage = PER_PAGE): IncidentPage {
  const periods = failPeriods(i.transitions).reverse();
  const total = periods.length;
  const pages = Math.max(1, Math.ceil(total / perPage));
  const p = Math.min(Math.max(1, Math.floor(page) || 1), pages);
  const shown = periods.slice((p - 1) * perPage, p * perPage);
  const people = i.siteLog.filter((l) => aboutBy(i.name, l));
  // a delivery belongs to the newest period that started at or before it (a recovery notice comes just after the end)
  const starts = periods.map((x) => x.start);
  const byPeriod = new Map<number, DeliveryRecord[]>();
  for (const d of i.deliveries ?? []) {
    if (d.check !== i.name) continue;
    const k = starts.findIndex((s) => s <= d.created);
    if (k < 0) continue;
    const l = byPeriod.get(k);
    if (l) l.push(d);
    else byPeriod.set(k, [d]);
  }
  const incidents = shown.map((x, j): IncidentVM => {
    const k = (p - 1) * perPage + j;
    const from = logStamp(x.start, i.siteZone);
    const to = x.end === null ? null : logStamp(x.end, i.siteZone);
    return {
      start: displayTime(x.start, i.zone),
      end: x.end === null ? null : displayTime(x.end, i.zone),
      duration: durationText((x.end ?? i.now) - x.start),
      opened: x.opened,
      closed: x.closed,
      endedAs: x.endedAs,
      notifications: (byPeriod.get(k) ?? []).sort((a, b) => a.created - b.created || a.id - b.id),
      people: people.filter((l) => {
        const s = l.slice(0, 23);
        return s >= from && (to === null || s <= to);
      }),
    };
  });
  return { incidents, page: p, pages, total };
}
