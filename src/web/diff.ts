/**
 * A line diff for the raw editor (Myers' O(ND) algorithm, "An O(ND)
 * Difference Algorithm and Its Variations", 1986), trimmed to the changed
 * region first so a one-line edit of a 10,000-check file is cheap. Output is
 * unified-diff hunks with context lines.
 */

export type DiffLine = { op: ' ' | '-' | '+'; text: string; a: number | null; b: number | null };

export interface Hunk {
  aStart: number;
  bStart: number;
  lines: DiffLine[];
}

export interface DiffResult {
  hunks: Hunk[];
  added: number;
  removed: number;
  /** true when the files differ too much to show line by line */
  tooLarge: boolean;
}

/** Edit script between a and b as (op, index) pairs; null beyond `maxD` differences. */
function myers(a: string[], b: string[], maxD: number): DiffLine[] | null {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, maxD);
  const off = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[off + k - 1] < v[off + k + 1]) ? v[off + k + 1] : v[off + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[off + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
    if (found >= 0) break;
  }
  if (found < 0) return null;
  // walk back through the saved frontiers
  const out: DiffLine[] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const vd = trace[d];
    const k = x - y;
    const prevK = k === -d || (k !== d && vd[off + k - 1] < vd[off + k + 1]) ? k + 1 : k - 1;
    const px = vd[off + prevK];
    const py = px - prevK;
    while (x > px && y > py) {
      out.push({ op: ' ', text: a[x - 1], a: x - 1, b: y - 1 });
      x--;
      y--;
    }
    if (x === px) out.push({ op: '+', text: b[y - 1], a: null, b: y - 1 });
    else out.push({ op: '-', text: a[x - 1], a: x - 1, b: null });
    x = px;
    y = py;
  }
  while (x > 0 && y > 0) {
    out.push({ op: ' ', text: a[x - 1], a: x - 1, b: y - 1 });
    x--;
    y--;
  }
  return out.reverse();
}

export function diffLines(before: string, after: string, context = 3, maxD = 4000): DiffResult {
  const a = before.split('\n');
  const b = after.split('\n');
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const mid = myers(a.slice(pre, a.length - suf), b.slice(pre, b.length - suf), maxD);
  if (!mid) return { hunks: [], added: 0, removed: 0, tooLarge: true };
  const lines: DiffLine[] = [
    ...a.slice(0, pre).map((text, i) => ({ op: ' ' as const, text, a: i, b: i })),
    ...mid.map((l) => ({ ...l, a: l.a === null ? null : l.a + pre, b: l.b === null ? null : l.b + pre })),
    ...a.slice(a.length - suf).map((text, i) => ({ op: ' ' as const, text, a: a.length - suf + i, b: b.length - suf + i })),
  ];
  // index of the next changed line at or after i (lines.length when none)
  const nextChange = new Int32Array(lines.length + 1).fill(lines.length);
  for (let i = lines.length - 1; i >= 0; i--) nextChange[i] = lines[i].op === ' ' ? nextChange[i + 1] : i;
  const hunks: Hunk[] = [];
  let cur: Hunk | null = null;
  let lastChange = -Infinity;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l.op === ' ') continue;
    if (!cur || i - lastChange > 2 * context) {
      const start = Math.max(0, i - context);
      cur = { aStart: 0, bStart: 0, lines: [] };
      hunks.push(cur);
      for (let j = start; j < i; j++) cur.lines.push(lines[j]);
    } else {
      for (let j = lastChange + 1; j < i; j++) cur.lines.push(lines[j]);
    }
    cur.lines.push(l);
    lastChange = i;
    const gap = nextChange[i + 1] - (i + 1);
    if (nextChange[i + 1] === lines.length || gap >= 2 * context) {
      for (let j = i + 1; j <= Math.min(lines.length - 1, i + context); j++) cur.lines.push(lines[j]);
    }
  }
  for (const h of hunks) {
    const firstA = h.lines.find((l) => l.a !== null)?.a ?? 0;
    const firstB = h.lines.find((l) => l.b !== null)?.b ?? 0;
    h.aStart = firstA + 1;
    h.bStart = firstB + 1;
  }
  return {
    hunks,
    added: lines.filter((l) => l.op === '+').length,
    removed: lines.filter((l) => l.op === '-').length,
    tooLarge: false,
  };
}
