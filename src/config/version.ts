/**
 * The version of a site-file entry that edits carry (the UI's and API's
 * optimistic concurrency check, and the zone's config replication): a hash
 * of its canonical JSON, runtime `data` left out.
 */
import { createHash } from 'node:crypto';

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/**
 * A version tag for optimistic locking: two tabs editing the same thing see
 * a conflict instead of silently overwriting each other. Runtime `data` is
 * left out (it changes with every run).
 */
export function versionOf(v: unknown): string {
  let x = v;
  if (x !== null && typeof x === 'object' && !Array.isArray(x) && 'data' in x) {
    const { data: _data, ...rest } = x as Record<string, unknown>;
    x = rest;
  }
  return createHash('sha256')
    .update(JSON.stringify(canonical(x) ?? null))
    .digest('base64url')
    .slice(0, 22);
}
