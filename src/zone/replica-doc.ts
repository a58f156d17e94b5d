/**
 * Config replication's pure part (issue 23, docs/ha.md "Config"): which part
 * of the site file a zone shares, the retained config message, and the
 * three-way merge of two concurrent edits. Table-tested in
 * test/zone/replica-doc.test.ts; config-sync.ts does the MQTT and the saving.
 *
 * Shared: checks (without their runtime `data`), actions, users and roles,
 * every engine setting. Each node's own: `mqtt` (each node may use another
 * server of a cluster), `zone`, the volatile `log`, and where the web UI and
 * the API listen (hostname, port, cert, key).
 */
import type { Doc } from '../config/edits.ts';
import { isObject } from '../util/guard.ts';
import { versionOf } from '../config/version.ts';
import { flattenCheck } from '../config/serialize.ts';

type Obj = Record<string, unknown>;

/** Top-level keys that stay on each node. */
export const LOCAL_KEYS: readonly string[] = ['mqtt', 'zone', 'log', 'base'];
/** Keys of `webui` and `api` that stay on each node: where it listens. */
export const LISTEN_KEYS: readonly string[] = ['hostname', 'port', 'cert', 'key'];
const LISTENERS = ['webui', 'api'];
const COLLECTIONS = ['checks', 'actions'];

/** The zone's part of a site document. */
export function sharedPart(doc: Doc): Doc {
  const out: Obj = {};
  for (const [k, v] of Object.entries(doc)) {
    if (LOCAL_KEYS.includes(k)) continue;
    if (LISTENERS.includes(k) && isObject(v)) {
      const rest = Object.entries(v).filter(([x]) => !LISTEN_KEYS.includes(x));
      // a section that only says where this node listens is this node's own
      if (rest.length) out[k] = Object.fromEntries(rest);
    } else if (k === 'checks' && isObject(v)) out[k] = Object.fromEntries(Object.entries(v).map(([n, c]) => [n, canonicalCheck(c)]));
    else if (v === null && NULLABLE.includes(k)) continue;
    else out[k] = v;
  }
  out.actions ??= {};
  out.checks ??= {};
  return out;
}

/** Top-level keys the site file writes as null when absent (config/serialize.ts). */
const NULLABLE = ['timezone', 'webui', 'api'];

/**
 * A check as the site file writes it (every key, defaults filled in:
 * config/serialize.ts), without its runtime `data`: the same check hashes
 * the same whether it was written by hand or saved by the site.
 */
function canonicalCheck(c: unknown): unknown {
  if (!isObject(c)) return c;
  const { data: _data, ...rest } = flattenCheck(c, undefined);
  return rest;
}

/** The zone's `shared` document with this node's own keys (from `local`) put back. */
export function withLocal(shared: Doc, local: Doc): Doc {
  const out: Obj = { ...shared };
  for (const k of LOCAL_KEYS) {
    if (k in local) out[k] = local[k];
    else delete out[k];
  }
  for (const k of LISTENERS) {
    const mine = isObject(local[k]) ? Object.entries(local[k]).filter(([x]) => LISTEN_KEYS.includes(x)) : [];
    if (isObject(out[k])) out[k] = { ...(out[k] as Obj), ...Object.fromEntries(mine) };
    else if (mine.length && out[k] === undefined) out[k] = Object.fromEntries(mine);
  }
  return out;
}

/** The version of a shared document (canonical JSON, SHA-256). */
export function hashShared(shared: Doc): string {
  return versionOf(shared);
}

/** The retained message `<prefix>/<zone>/config`. */
export interface ConfigMessage {
  v: 1;
  /** revision: one more than the revision the edit started from */
  rev: number;
  /** the node where the edit was made */
  node: string;
  hash: string;
  /** the hash of the revision the edit started from ('' for the first) */
  parent: string;
  /** ms on the sender's clock (informational) */
  at: number;
  /** checks renamed by the edit (their history moves with them) */
  renamed: [string, string][];
  doc: Doc;
}

/** Orders two revisions: the higher revision wins, then the greater node name. */
export function newer(a: Pick<ConfigMessage, 'rev' | 'node'>, b: Pick<ConfigMessage, 'rev' | 'node'> | null): boolean {
  if (!b) return true;
  return a.rev !== b.rev ? a.rev > b.rev : a.node > b.node;
}

export function encodeConfig(m: ConfigMessage): Buffer {
  return Buffer.from(JSON.stringify(m));
}

export type DecodedConfig = { ok: true; message: ConfigMessage } | { ok: false; why: string };

/** Decodes a config message; a reason for anything that is not one (logged and dropped by the caller). */
export function decodeConfig(buf: Buffer, maxBytes: number): DecodedConfig {
  if (buf.length > maxBytes) return { ok: false, why: `${buf.length} bytes, more than the limit of ${maxBytes}` };
  let o: unknown;
  try {
    o = JSON.parse(buf.toString('utf8'));
  } catch (e) {
    return { ok: false, why: `not JSON: ${(e as Error).message}` };
  }
  if (!isObject(o)) return { ok: false, why: 'not a JSON object' };
  if (o.v !== 1) return { ok: false, why: `unknown version ${JSON.stringify(o.v)}` };
  if (!Number.isSafeInteger(o.rev) || (o.rev as number) < 1) return { ok: false, why: 'rev is not a positive integer' };
  if (typeof o.node !== 'string' || !/^[^/+#\u0000]{1,128}$/.test(o.node)) return { ok: false, why: 'node is not a node name' };
  if (typeof o.hash !== 'string' || typeof o.parent !== 'string' || o.parent.length > 64) return { ok: false, why: 'hash or parent missing' };
  if (!isObject(o.doc)) return { ok: false, why: 'doc is not an object' };
  const renamed = Array.isArray(o.renamed) ? o.renamed : [];
  if (renamed.some((r) => !Array.isArray(r) || r.length !== 2 || typeof r[0] !== 'string' || typeof r[1] !== 'string'))
    return { ok: false, why: 'renamed is not a list of [from, to] names' };
  const doc = sharedPart(o.doc);
  if (hashShared(doc) !== o.hash) return { ok: false, why: 'the hash does not match the document' };
  return {
    ok: true,
    message: {
      v: 1,
      rev: o.rev as number,
      node: o.node,
      hash: o.hash,
      parent: o.parent,
      at: typeof o.at === 'number' ? o.at : 0,
      renamed: renamed as [string, string][],
      doc,
    },
  };
}

const same = (a: unknown, b: unknown): boolean => versionOf(a ?? null) === versionOf(b ?? null);

/**
 * Three-way merge of two concurrent edits, entity by entity: each check,
 * each action, each other top-level key. What only one side changed is
 * kept; what both changed differently is a conflict that `theirs` wins (the
 * newer revision, so every node picks the same). Without a base (a node that
 * was offline too long to know it) every difference is a conflict.
 */
export function merge3(base: Doc | null, ours: Doc, theirs: Doc): { doc: Doc; conflicts: string[] } {
  const conflicts: string[] = [];
  const pick = (path: string, b: unknown, o: unknown, t: unknown): unknown => {
    if (same(o, t)) return t;
    if (base && same(b, o)) return t;
    if (base && same(b, t)) return o;
    conflicts.push(path);
    return t;
  };
  const out: Obj = {};
  const keys = new Set([...Object.keys(theirs), ...Object.keys(ours)]);
  for (const k of keys) {
    const b = base?.[k];
    const o = ours[k];
    const t = theirs[k];
    let v: unknown;
    if (COLLECTIONS.includes(k) && (isObject(o) || o === undefined) && (isObject(t) || t === undefined)) {
      const bo = isObject(b) ? b : {};
      const oo = (o ?? {}) as Obj;
      const to = (t ?? {}) as Obj;
      const merged: Obj = {};
      // their order first, then what only ours has
      for (const n of new Set([...Object.keys(to), ...Object.keys(oo)])) {
        const x = pick(`${k}.${n}`, base ? bo[n] : undefined, oo[n], to[n]);
        if (x !== undefined) merged[n] = x;
      }
      v = o === undefined && t === undefined ? undefined : merged;
    } else v = pick(k, b, o, t);
    if (v !== undefined) out[k] = v;
  }
  return { doc: out, conflicts };
}
