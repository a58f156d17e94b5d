/**
 * A host tile's sparkline, drawn on the server (issue 22 "Hosts"): the
 * geometry only — points scaled into a fixed box, split where data is
 * missing (a gap is "no data", never a line across it). Pure, so the
 * geometry is table-tested (test/web/hosts.test.ts); views/partials/host-card.tsx
 * draws it as SVG polylines with classes (no inline style, strict CSP).
 */

export interface SparkSample {
  /** start of the slot, ms */
  t: number;
  v: number;
}

export interface SparkGeometry {
  /** SVG `points` strings, one per unbroken run of samples */
  lines: string[];
  /** single samples between gaps: drawn as dots */
  dots: { x: number; y: number }[];
  /** the scale used (a percentage is always 0–100) */
  min: number;
  max: number;
  /** the lowest and highest sample drawn */
  low: number;
  high: number;
  /** the newest sample */
  last: SparkSample | null;
}

export interface SparkBox {
  width: number;
  height: number;
  /** the span drawn, ms */
  from: number;
  to: number;
  /** samples further apart than this are not joined (ms) */
  gapMs: number;
  /** a fixed scale (e.g. 0–100 for a percentage); default: the samples' own min–max */
  scale?: { min: number; max: number };
}

const r1 = (v: number): number => Math.round(v * 10) / 10;

/** Scales samples (oldest first) into the box: x by time, y upwards from the bottom edge, 1 unit of padding top and bottom. */
export function sparkGeometry(samples: readonly SparkSample[], box: SparkBox): SparkGeometry {
  const inRange = samples.filter((s) => Number.isFinite(s.v) && s.t >= box.from && s.t <= box.to);
  let min = box.scale?.min ?? Infinity;
  let max = box.scale?.max ?? -Infinity;
  if (!box.scale) {
    for (const s of inRange) {
      min = Math.min(min, s.v);
      max = Math.max(max, s.v);
    }
  }
  if (inRange.length === 0) return { lines: [], dots: [], min: box.scale?.min ?? 0, max: box.scale?.max ?? 0, low: 0, high: 0, last: null };
  let low = Infinity;
  let high = -Infinity;
  for (const s of inRange) {
    low = Math.min(low, s.v);
    high = Math.max(high, s.v);
  }
  const span = Math.max(1, box.to - box.from);
  const pad = 1;
  const x = (t: number): number => r1(((t - box.from) / span) * box.width);
  // a flat series sits in the middle; values outside a fixed scale are clamped to its edges
  const y = (v: number): number => {
    if (max <= min) return r1(box.height / 2);
    const f = Math.min(1, Math.max(0, (v - min) / (max - min)));
    return r1(box.height - pad - f * (box.height - 2 * pad));
  };
  const runs: SparkSample[][] = [];
  let cur: SparkSample[] = [];
  for (const s of inRange) {
    const prev = cur[cur.length - 1];
    if (prev && s.t - prev.t > box.gapMs) {
      runs.push(cur);
      cur = [];
    }
    cur.push(s);
  }
  runs.push(cur);
  const lines: string[] = [];
  const dots: { x: number; y: number }[] = [];
  for (const run of runs) {
    if (run.length === 1) dots.push({ x: x(run[0].t), y: y(run[0].v) });
    else lines.push(run.map((s) => `${x(s.t)},${y(s.v)}`).join(' '));
  }
  return { lines, dots, min, max, low, high, last: inRange[inRange.length - 1] };
}

/**
 * Values into fixed slots (5 minutes, the roll-up tier's size): the average
 * of the values in each slot, oldest first. A slot without a value is absent.
 */
export function slotAverages(values: readonly { t: number; v: number }[], slotMs: number): SparkSample[] {
  const slots = new Map<number, { sum: number; n: number }>();
  for (const { t, v } of values) {
    if (!Number.isFinite(v)) continue;
    const k = Math.floor(t / slotMs) * slotMs;
    const s = slots.get(k);
    if (s) {
      s.sum += v;
      s.n++;
    } else slots.set(k, { sum: v, n: 1 });
  }
  return [...slots].sort((a, b) => a[0] - b[0]).map(([t, s]) => ({ t, v: s.sum / s.n }));
}
