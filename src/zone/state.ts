/**
 * A zone's view of its checks on the broker (issue 23, docs/ha.md "What a
 * zone publishes"): after a run, the node that ran the check publishes its
 * state, retained, to `<prefix>/<zone>/view/<check>` — when it changed, the
 * first time this node publishes it, and again every `refresh` so that a
 * taken-over check never keeps a dead node's name. Multi-vantage checks
 * (vantage.ts) and the fleet view (src/fleet/) read these. A local check
 * (it runs on every node) is published per node: `<check>@<node>`.
 * Pure: encoding, decoding and the "publish now?" rule.
 */
import type { VantageView } from './vantage.ts';

export const MAX_STATE_BYTES = 2048;
const MAX_SUMMARY = 300;

export function stateTopics(prefix: string, zone: string): { state: (check: string) => string; all: string } {
  const base = `${prefix.replace(/\/+$/, '')}/${zone}`;
  return { state: (c) => `${base}/view/${encodeURIComponent(c)}`, all: `${base}/view/+` };
}

/** `<prefix>/<zone>/view/<check>` → zone and check, or null. */
export function parseStateTopic(prefix: string, topic: string): { zone: string; check: string } | null {
  const p = `${prefix.replace(/\/+$/, '')}/`;
  if (!topic.startsWith(p)) return null;
  const rest = topic.slice(p.length).split('/');
  if (rest.length !== 3 || rest[1] !== 'view' || !rest[0]) return null;
  try {
    const check = decodeURIComponent(rest[2]!);
    return check ? { zone: rest[0], check } : null;
  } catch {
    return null;
  }
}

export function encodeView(v: VantageView): Buffer {
  return Buffer.from(JSON.stringify({ ...v, summary: v.summary.slice(0, MAX_SUMMARY) }));
}

/** A view payload, or null for anything else (the caller logs and drops it). */
export function decodeView(buf: Buffer): VantageView | null {
  if (buf.length === 0 || buf.length > MAX_STATE_BYTES) return null;
  try {
    const o = JSON.parse(buf.toString()) as Record<string, unknown>;
    if (!o || typeof o !== 'object' || typeof o.state !== 'string' || typeof o.failing !== 'boolean' || typeof o.node !== 'string') return null;
    return {
      state: o.state.slice(0, 16),
      failing: o.failing,
      summary: typeof o.summary === 'string' ? o.summary.slice(0, MAX_SUMMARY) : '',
      since: typeof o.since === 'number' && Number.isFinite(o.since) ? o.since : null,
      node: o.node.slice(0, 128),
    };
  } catch {
    return null;
  }
}

/** What this node last published for a check. */
export interface Published {
  key: string;
  at: number;
}

/** Publish after this run? When the state differs from the last one sent, or the last one is `refreshMs` old. */
export function publishNow(last: Published | undefined, key: string, now: number, refreshMs: number): boolean {
  return !last || last.key !== key || now - last.at >= refreshMs;
}
