/**
 * Multi-vantage checks (issue 23, docs/ha.md "Multi-vantage checks"): a
 * check with `options.vantage: ["hq", "dc2", "home"]` and `options.quorum: 2`
 * runs in each of those zones; each zone's owner publishes the zone's view
 * (state.ts). The check's quorum state is FAIL when at least `quorum`
 * vantages see FAIL, PASS when so many see PASS that FAIL is no longer
 * possible, and unknown otherwise. A silent vantage (no view, or a view from
 * a node that is not live) counts as unknown — never as PASS.
 * Pure and table-tested (test/zone/vantage.test.ts); vantage-service.ts does
 * the MQTT part.
 */
import { z } from 'zod';
import type { Issue, PathSegment } from '../config/issues.ts';
import { rendezvous } from './hrw.ts';

const zoneName = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[^/+#\u0000]+$/, 'a zone name: no "/", "+", "#"');

/** The two check options (spread into every type's options by config/schema.ts). */
export const vantageOptions = {
  vantage: z
    .array(zoneName)
    .min(2)
    .max(16)
    .optional()
    .describe('siteward zones: run this check in each of these zones and decide its state by quorum (docs/ha.md "Multi-vantage checks")'),
  quorum: z.int().min(1).max(16).optional().describe('siteward zones: how many vantage zones must see FAIL for the check to FAIL (default: a majority)'),
};

export interface VantageSpec {
  zones: string[];
  quorum: number;
}

/** The vantage settings of a check's options, or null for an ordinary check. */
export function vantageOf(options: Record<string, unknown> | null | undefined): VantageSpec | null {
  const v = options?.vantage;
  if (!Array.isArray(v) || v.length < 2 || !v.every((x) => typeof x === 'string')) return null;
  const zones = [...new Set(v as string[])];
  const q = options?.quorum;
  const quorum = typeof q === 'number' && Number.isInteger(q) && q >= 1 ? Math.min(q, zones.length) : Math.floor(zones.length / 2) + 1;
  return { zones, quorum };
}

/** The rules zod cannot see on one key: quorum within the list, no zone twice. */
export function vantageIssues(options: Record<string, unknown>, path: PathSegment[]): Issue[] {
  const out: Issue[] = [];
  const v = options.vantage;
  const q = options.quorum;
  if (Array.isArray(v)) {
    const seen = new Set<unknown>();
    v.forEach((x, i) => {
      if (seen.has(x)) out.push({ path: [...path, 'vantage', i], message: `zone "${String(x)}" is listed twice`, severity: 'error' });
      seen.add(x);
    });
    if (typeof q === 'number' && q > v.length)
      out.push({ path: [...path, 'quorum'], message: `${q} is more than the ${v.length} vantage zones listed`, severity: 'error' });
  } else if (q !== undefined) {
    out.push({ path: [...path, 'quorum'], message: 'quorum needs a vantage list', severity: 'error' });
  }
  return out;
}

/** One zone's view of a check (its owner's last published state). */
export interface VantageView {
  state: string;
  failing: boolean;
  summary: string;
  /** when the zone's owner entered this state (its clock, ms) */
  since: number | null;
  node: string;
}

export type Verdict = 'fail' | 'pass' | 'unknown';

export interface Quorum {
  verdict: Verdict;
  fails: number;
  passes: number;
  unknown: number;
}

/**
 * The quorum state from the views (null or absent: silent, unknown).
 * FAIL when fails ≥ quorum; PASS when passes > n − quorum (the others could
 * no longer make it FAIL); else unknown (the last verdict stands).
 */
export function quorumState(spec: VantageSpec, views: ReadonlyMap<string, VantageView | null>): Quorum {
  let fails = 0;
  let passes = 0;
  for (const z of spec.zones) {
    const v = views.get(z);
    if (!v) continue;
    if (v.failing) fails++;
    else passes++;
  }
  const n = spec.zones.length;
  const unknown = n - fails - passes;
  const verdict: Verdict = fails >= spec.quorum ? 'fail' : passes > n - spec.quorum ? 'pass' : 'unknown';
  return { verdict, fails, passes, unknown };
}

/** The zone whose owner notifies: rendezvous of the check's name over the live vantage zones. */
export function notifyingZone(check: string, spec: VantageSpec, liveZones: ReadonlySet<string>): string | null {
  return rendezvous(
    check,
    spec.zones.filter((z) => liveZones.has(z)),
  );
}

/** One line per vantage for the message: `hq: FAIL — connection refused`, `home: no answer (unknown)`. */
export function viewLines(spec: VantageSpec, views: ReadonlyMap<string, VantageView | null>): string[] {
  return spec.zones.map((z) => {
    const v = views.get(z);
    if (!v) return `${z}: no answer (unknown)`;
    return `${z}: ${v.state}${v.summary ? ` — ${v.summary}` : ''} (node ${v.node})`;
  });
}

/** The headline of the message: `FAIL in 2 of 3 vantage zones (quorum 2)`. */
export function quorumLine(spec: VantageSpec, q: Quorum): string {
  const n = spec.zones.length;
  return q.verdict === 'fail'
    ? `FAIL in ${q.fails} of ${n} vantage zones (quorum ${spec.quorum})`
    : `PASS in ${q.passes} of ${n} vantage zones (quorum ${spec.quorum} to fail)`;
}

/** Is this check decided by quorum (its zone's own transitions are not notified)? */
export function isVantageCheck(options: Record<string, unknown> | null | undefined): boolean {
  return vantageOf(options) !== null;
}
