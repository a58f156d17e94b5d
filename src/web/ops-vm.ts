/** The decision trace as the check page shows it (src/ops/trace.ts → plain words). */
import type { WebSite } from './web-site.ts';
import { displayTime } from '../util/time.ts';
import type { Decision } from '../ops/trace.ts';

export interface DecisionVM {
  at: string;
  kind: string;
  summary: string;
  facts: string[];
  skipped: { action: string; why: string }[];
}

function facts(d: Decision, zone: string | null): string[] {
  const out: string[] = [];
  if (d.result) out.push(`result: ${d.result}`);
  out.push(`${d.failCount} failing run${d.failCount === 1 ? '' : 's'} of ${d.threshold} needed`);
  if (d.retries > 1) out.push(`${d.retries} tries per run`);
  if (d.dependency) out.push(`dependency ${d.dependency} failing`);
  if (d.maintenance) out.push(`maintenance window “${d.maintenance}”`);
  if (d.ack) out.push(`acknowledged by ${d.ack.by} at ${displayTime(d.ack.at, zone)}`);
  if (d.escalationStep !== null) out.push(`escalation step ${d.escalationStep}`);
  return out;
}

export function decisionVMs(site: WebSite, name: string, limit = 10): DecisionVM[] {
  const zone = site.entry(name)?.zone ?? null;
  return site.ops.decisions(name, limit).map((d) => ({
    at: displayTime(d.t, zone),
    kind: d.kind,
    summary: d.summary,
    facts: facts(d, zone),
    skipped: d.skipped,
  }));
}
