/**
 * Time helpers: zone-aware ISO-8601 and display formatting, and the lenient
 * parser fletchck uses for `data` times and remote payloads (spec §3.8, §3.9).
 *
 * Internally every instant is a number of milliseconds since the epoch; a zone
 * (IANA key, or null for host local time) only matters when a time is shown or
 * written out.
 */

const partsCache = new Map<string, Intl.DateTimeFormat>();
const abbrCache = new Map<string, Intl.DateTimeFormat[]>();

/** True when `zone` is an IANA zone key this runtime knows. */
export function isValidZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Canonical spelling of a zone matched case-insensitively (spec §6.3 zone-case bug fix). */
export function canonicalZone(zone: string): string | null {
  if (isValidZone(zone)) {
    // Intl canonicalises case ("australia/adelaide" → "Australia/Adelaide").
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  }
  return null;
}

function partsFormat(zone: string | null): Intl.DateTimeFormat {
  const key = zone ?? '';
  let f = partsCache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone ?? undefined,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsCache.set(key, f);
  }
  return f;
}

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
  /** offset from UTC in minutes (east positive) */
  offset: number;
}

/**
 * Zone offsets memoised per 15-minute slot: offsets only change at DST
 * transitions, which fall on quarter-hour boundaries, and Intl formatting is
 * the slow part of writing 10,000 checks' times.
 */
const offsetMemo = new Map<string, number>();
const SLOT = 15 * 60_000;

function zoneOffset(t: number, zone: string): number {
  const key = `${zone}|${Math.floor(t / SLOT)}`;
  let off = offsetMemo.get(key);
  if (off === undefined) {
    const p: Record<string, number> = {};
    for (const part of partsFormat(zone).formatToParts(new Date(t))) {
      if (part.type !== 'literal') p[part.type] = Number(part.value);
    }
    const ms = ((t % 1000) + 1000) % 1000;
    off = Math.round((Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second, ms) - t) / 60000);
    if (offsetMemo.size > 100_000) offsetMemo.clear();
    offsetMemo.set(key, off);
  }
  return off;
}

/** The wall-clock fields of instant `t` in `zone` (null = host local). */
export function wallTime(t: number, zone: string | null): WallTime {
  if (zone !== null) {
    const offset = zoneOffset(t, zone);
    const w = new Date(t + offset * 60000);
    return {
      year: w.getUTCFullYear(),
      month: w.getUTCMonth() + 1,
      day: w.getUTCDate(),
      hour: w.getUTCHours(),
      minute: w.getUTCMinutes(),
      second: w.getUTCSeconds(),
      ms: w.getUTCMilliseconds(),
      offset,
    };
  }
  const d = new Date(t);
  return {
    year: d.getFullYear(),
    month: d.getMonth() + 1,
    day: d.getDate(),
    hour: d.getHours(),
    minute: d.getMinutes(),
    second: d.getSeconds(),
    ms: d.getMilliseconds(),
    offset: -d.getTimezoneOffset(),
  };
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

function offsetText(min: number, colon = true): string {
  const sign = min < 0 ? '-' : '+';
  const a = Math.abs(min);
  return `${sign}${pad(Math.floor(a / 60))}${colon ? ':' : ''}${pad(a % 60)}`;
}

/**
 * ISO-8601 with offset in `zone`, the shape fletchck writes (spec §2.4, §7.3):
 * `2026-11-22T09:27:37.305000+00:00`; the fraction is omitted when it is zero.
 */
export function isoInZone(t: number, zone: string | null): string {
  const w = wallTime(t, zone);
  const frac = w.ms === 0 ? '' : `.${pad(w.ms, 3)}000`;
  return `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}${frac}${offsetText(w.offset)}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Abbreviations memoised per zone and 15-minute slot (they change only at DST transitions, like offsets). */
const abbrMemo = new Map<string, string>();

/** The zone abbreviation Python's `%Z` would print (e.g. ACDT), or a numeric offset. */
export function zoneAbbreviation(t: number, zone: string | null): string {
  const memo = `${zone ?? ''}|${Math.floor(t / SLOT)}`;
  let hit = abbrMemo.get(memo);
  if (hit === undefined) {
    hit = abbreviation(t, zone);
    if (abbrMemo.size > 100_000) abbrMemo.clear();
    abbrMemo.set(memo, hit);
  }
  return hit;
}

function abbreviation(t: number, zone: string | null): string {
  const key = zone ?? '';
  let fmts = abbrCache.get(key);
  if (!fmts) {
    // ICU only has abbreviations for some zones in some locales: try the
    // locales that carry them and fall back to a numeric offset as zoneinfo does.
    fmts = ['en-US', 'en-AU', 'en-GB', 'en-NZ', 'en-IN', 'en-CA'].map(
      (loc) => new Intl.DateTimeFormat(loc, { timeZone: zone ?? undefined, timeZoneName: 'short' }),
    );
    abbrCache.set(key, fmts);
  }
  const d = new Date(t);
  for (const f of fmts) {
    const name = f.formatToParts(d).find((p) => p.type === 'timeZoneName')?.value;
    if (name && !/^(GMT|UTC)[+-]/.test(name))
      return name === 'GMT' && zone !== null && /^(UTC|Etc\/UTC|Etc\/Universal|Universal|Zulu)$/.test(zone) ? 'UTC' : name;
  }
  return offsetText(wallTime(t, zone).offset, false);
}

/** fletchck's display format `%d %b %Y %H:%M %Z` (spec §3.9); '' for null. */
export function displayTime(t: number | null | undefined, zone: string | null): string {
  if (t === null || t === undefined) return '';
  const w = wallTime(t, zone);
  return `${pad(w.day)} ${MONTHS[w.month - 1]} ${w.year} ${pad(w.hour)}:${pad(w.minute)} ${zoneAbbreviation(t, zone)}`;
}

/** Fixed abbreviations fletchck's lenient parser understands (spec §3.8). */
const LEGACY_ZONES: Record<string, number> = {
  AEST: 600,
  AEDT: 660,
  ACST: 570,
  ACDT: 630,
  AWST: 480,
  UTC: 0,
  GMT: 0,
  Z: 0,
};

/** Converts wall-clock fields in `zone` to an instant (first match across DST gaps). */
export function fromWallTime(
  f: { year: number; month: number; day: number; hour: number; minute: number; second: number; ms?: number },
  zone: string | null,
): number {
  const guess = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second, f.ms ?? 0);
  if (zone === null) {
    return new Date(f.year, f.month - 1, f.day, f.hour, f.minute, f.second, f.ms ?? 0).getTime();
  }
  // Two passes settle the offset except inside a DST gap, where the later offset wins.
  let t = guess - wallTime(guess, zone).offset * 60000;
  t = guess - wallTime(t, zone).offset * 60000;
  return t;
}

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const LEGACY_RE = /^(\d{1,2}) ([A-Za-z]{3}) (\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))?(?: ([A-Za-z]{1,5}|[+-]\d{2}:?\d{2}))?$/;

function parseOffset(s: string): number | null {
  const u = s.toUpperCase();
  if (u in LEGACY_ZONES) return LEGACY_ZONES[u];
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(s);
  if (!m) return null;
  const v = Number(m[2]) * 60 + Number(m[3] ?? 0);
  return m[1] === '-' ? -v : v;
}

/**
 * Lenient date-time parser (spec §3.8): ISO-8601 (with or without offset) and
 * the legacy display format `14 Jan 2026 15:34 AEDT`. A string without a zone
 * is read as wall time in `zone` (host local when null). Returns null when the
 * string cannot be understood.
 */
export function parseLenientTime(s: unknown, zone: string | null = null): number | null {
  if (typeof s !== 'string') return null;
  const text = s.trim();
  const fast = parseIsoWithOffset(text);
  if (fast !== undefined) return fast;
  let m = ISO_RE.exec(text);
  if (m) {
    const f = {
      year: Number(m[1]),
      month: Number(m[2]),
      day: Number(m[3]),
      hour: Number(m[4] ?? 0),
      minute: Number(m[5] ?? 0),
      second: Number(m[6] ?? 0),
      ms: m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0,
    };
    if (!validFields(f)) return null;
    if (m[8]) {
      const off = parseOffset(m[8]);
      if (off === null) return null;
      return Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second, f.ms) - off * 60000;
    }
    return fromWallTime(f, zone);
  }
  m = LEGACY_RE.exec(text);
  if (m) {
    const month = MONTHS.findIndex((x) => x.toLowerCase() === m![2].toLowerCase()) + 1;
    const f = { year: Number(m[3]), month, day: Number(m[1]), hour: Number(m[4]), minute: Number(m[5]), second: Number(m[6] ?? 0) };
    if (month === 0 || !validFields(f)) return null;
    if (m[7]) {
      const off = parseOffset(m[7]);
      if (off === null) return null;
      return Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second) - off * 60000;
    }
    return fromWallTime(f, zone);
  }
  return null;
}

/** Days in a month as Date.UTC counts them (years 0–99 are 1900–1999 to it). */
function daysInMonth(year: number, month: number): number {
  if (month !== 2) return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  const y = year >= 0 && year <= 99 ? 1900 + year : year;
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
}

function validFields(f: { year: number; month: number; day: number; hour: number; minute: number; second: number }): boolean {
  if (f.month < 1 || f.month > 12 || f.day < 1 || f.hour > 23 || f.minute > 59 || f.second > 60) return false;
  return f.day <= daysInMonth(f.year, f.month);
}

/** where `YYYY-MM-DDTHH:MM:SS` has its digits */
const DIGIT_AT = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
/** The number written by the digits text[from, to) (all digits, checked by the caller). */
function digits(text: string, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) v = v * 10 + text.charCodeAt(i) - 48;
  return v;
}

/**
 * The shape every fletchck and siteward sender writes, `YYYY-MM-DDTHH:MM:SS`
 * with an optional fraction and `Z` or `±HH:MM`, read without the regular
 * expression (a remote update carries three times; the regular expression was
 * most of decoding one, docs/performance.md). The same result as the general
 * path below; `undefined` when the text has another shape.
 */
function parseIsoWithOffset(text: string): number | null | undefined {
  const n = text.length;
  if (n < 20) return undefined;
  for (const i of DIGIT_AT) if (!isDigit(text.charCodeAt(i))) return undefined;
  const sep = text.charCodeAt(10);
  if (
    text.charCodeAt(4) !== 45 ||
    text.charCodeAt(7) !== 45 ||
    (sep !== 84 && sep !== 116 && sep !== 32) ||
    text.charCodeAt(13) !== 58 ||
    text.charCodeAt(16) !== 58
  )
    return undefined;
  let i = 19;
  let ms = 0;
  const c = text.charCodeAt(i);
  if (c === 46 || c === 44) {
    let j = i + 1;
    while (j < n && isDigit(text.charCodeAt(j))) j++;
    if (j === i + 1 || j - i - 1 > 9) return undefined;
    ms = Math.floor(Number(`0.${text.slice(i + 1, j)}`) * 1000);
    i = j;
  }
  let off: number;
  const z = text.charCodeAt(i);
  if ((z === 90 || z === 122) && i + 1 === n) off = 0;
  else if (
    (z === 43 || z === 45) &&
    i + 6 === n &&
    isDigit(text.charCodeAt(i + 1)) &&
    isDigit(text.charCodeAt(i + 2)) &&
    text.charCodeAt(i + 3) === 58 &&
    isDigit(text.charCodeAt(i + 4)) &&
    isDigit(text.charCodeAt(i + 5))
  ) {
    const v = digits(text, i + 1, i + 3) * 60 + digits(text, i + 4, i + 6);
    off = z === 45 ? -v : v;
  } else return undefined;
  const f = {
    year: digits(text, 0, 4),
    month: digits(text, 5, 7),
    day: digits(text, 8, 10),
    hour: digits(text, 11, 13),
    minute: digits(text, 14, 16),
    second: digits(text, 17, 19),
  };
  if (!validFields(f)) return null;
  return Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second, ms) - off * 60000;
}

/** The last stamp made (logStamp). */
let stampMemo: { t: number; zone: string | null; text: string } = { t: NaN, zone: null, text: '' };

/** Local log timestamp `YYYY-MM-DD HH:MM:SS,mmm` (Python logging's asctime, spec §1.5). */
export function logStamp(t: number, zone: string | null): string {
  // a burst of transitions logs many lines in one millisecond: the last stamp is kept (a fresh one cost a Date and seven pads per line)
  if (t === stampMemo.t && zone === stampMemo.zone) return stampMemo.text;
  const w = wallTime(t, zone);
  const text = `${w.year}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)},${pad(w.ms, 3)}`;
  stampMemo = { t, zone, text };
  return text;
}
