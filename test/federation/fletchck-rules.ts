/**
 * fletchck's own acceptance rules for a received message (spec §7.4),
 * transcribed independently of src/federation/payload.ts so that "what
 * siteward sends, fletchck accepts" is checked against the spec and not
 * against siteward's decoder. Python semantics: a bool is an int; `failState`
 * may be of any type; `level` may be missing.
 */
export type Verdict = 'accepted' | 'invalid JSON' | 'malformed' | 'invalid remote data';

const isDict = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const pyInt = (v: unknown): boolean => typeof v === 'boolean' || (typeof v === 'number' && Number.isInteger(v));
const strOrNone = (v: unknown): boolean => v === null || typeof v === 'string';

export function fletchckAccepts(payload: Buffer): Verdict {
  let obj: unknown;
  try {
    obj = JSON.parse(payload.toString('utf8'));
  } catch {
    return 'invalid JSON';
  }
  if (!isDict(obj) || typeof obj.name !== 'string') return 'malformed';
  if (typeof obj.type !== 'string' || !isDict(obj.data) || Object.keys(obj.data).length === 0) return 'malformed';
  const d = obj.data;
  for (const k of ['threshold', 'failCount']) if (!(k in d) || !(d[k] === null || pyInt(d[k]))) return 'invalid remote data';
  for (const k of ['softFail', 'lastCheck', 'lastFail', 'lastPass']) if (!(k in d) || !strOrNone(d[k])) return 'invalid remote data';
  if ('level' in d && !strOrNone(d.level)) return 'invalid remote data';
  if (!('failState' in d)) return 'invalid remote data';
  if (!Array.isArray(d.log)) return 'invalid remote data';
  return 'accepted';
}

/**
 * Whether fletchck's remoteUpdate would then crash comparing counters
 * (spec §7.4 [bug]): a truthy failState with a null failCount or threshold.
 */
export function fletchckWouldCrash(payload: Buffer): boolean {
  const d = (JSON.parse(payload.toString('utf8')) as { data: Record<string, unknown> }).data;
  const truthy = d.failState !== false && d.failState !== null && d.failState !== '' && d.failState !== 0;
  return truthy && (d.failCount === null || d.threshold === null);
}
