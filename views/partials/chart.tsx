/**
 * A check's charts (issue 22): one SVG per series — the min–max band and
 * the average line per bucket, drawn on the server with classes only (the
 * CSP) — with min / avg / max / p95 for the range, and the state strip.
 */
import type { Child } from 'hono/jsx';
import { type ChartData, type Limits, plural, type Series } from '../../src/web/view-data.ts';

const H = 120;
const num = (v: number): string => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));
const BYTES = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

/** A value with its unit as people read it; bytes in KB…PB (powers of 1,000). */
function show(v: number, unit: string): string {
  if (unit === 'B') {
    let i = 0;
    while (Math.abs(v) >= 1000 && i < BYTES.length - 1) {
      v /= 1000;
      i++;
    }
    return `${num(v)} ${BYTES[i]}`;
  }
  return unit ? `${num(v)} ${unit}` : num(v);
}

/** Warning and critical bands: above warn (to crit), above crit, below critLow. */
function Bands(p: { l: Limits; lo: number; hi: number; y: (v: number) => string; width: number }): Child {
  const { l, lo, hi, y, width } = p;
  const rect = (from: number, to: number, cls: string): Child => {
    const a = Math.max(lo, Math.min(hi, from));
    const b = Math.max(lo, Math.min(hi, to));
    if (b <= a) return null;
    const top = Number(y(b));
    return <rect class={cls} x="0" y={top.toFixed(1)} width={width} height={(Number(y(a)) - top).toFixed(1)} />;
  };
  return (
    <>
      {l.warn !== undefined ? rect(l.warn, l.crit !== undefined && l.crit > l.warn ? l.crit : hi, 'chart-warn') : null}
      {l.crit !== undefined ? rect(l.crit, hi, 'chart-crit') : null}
      {l.critLow !== undefined ? rect(lo, l.critLow, 'chart-crit') : null}
    </>
  );
}

/** "warning above 80 %, failing above 90 %" for the caption and the screen reader. */
function limitWords(l: Limits, f: (v: number) => string): string {
  const w: string[] = [];
  if (l.warn !== undefined) w.push(`warning above ${f(l.warn)}`);
  if (l.crit !== undefined) w.push(`failing above ${f(l.crit)}`);
  if (l.critLow !== undefined) w.push(`failing below ${f(l.critLow)}`);
  return w.join(', ');
}

function SeriesChart(p: { s: Series; width: number; words: string }): Child {
  const { s, width } = p;
  if (!s.stats) return null;
  const l = s.limits ?? {};
  // the scale takes in the thresholds, so a band shows how far the values are from them
  const lo = Math.min(0, s.stats.min, l.critLow ?? 0);
  const top = Math.max(s.stats.max, l.warn ?? -Infinity, l.crit ?? -Infinity);
  // headroom above a threshold at the top, so the band beyond it shows
  const hi = top === lo ? lo + 1 : top > s.stats.max ? top + (top - lo) * 0.05 : top;
  const y = (v: number): string => (H - 4 - ((v - lo) / (hi - lo)) * (H - 12)).toFixed(1);
  const x = (i: number): string => (i + 0.5).toFixed(1);
  const line = s.buckets.map((b) => `${x(b.i)},${y(b.avg)}`).join(' ');
  const band = [...s.buckets.map((b) => `${x(b.i)},${y(b.max)}`), ...[...s.buckets].reverse().map((b) => `${x(b.i)},${y(b.min)}`)].join(' ');
  const f = (v: number): string => show(v, s.unit);
  const limits = limitWords(l, f);
  const summary = `min ${f(s.stats.min)}, average ${f(s.stats.avg)}, max ${f(s.stats.max)}, 95th percentile ${f(s.stats.p95)}${limits ? `; ${limits}` : ''}`;
  return (
    <figure class="chart">
      <figcaption>
        <strong>{s.name}</strong> <span class="muted">{`over the last ${p.words}: ${summary} (${plural(s.stats.count, 'value')})`}</span>
      </figcaption>
      <svg class="chart-svg" viewBox={`0 0 ${width} ${H}`} preserveAspectRatio="none" role="img" aria-label={`${s.name} over the last ${p.words}: ${summary}`}>
        <Bands l={l} lo={lo} hi={hi} y={y} width={width} />
        <line class="chart-base" x1="0" y1={H - 4} x2={width} y2={H - 4} />
        {s.buckets.length > 1 ? <polygon class="chart-band" points={band} /> : null}
        {s.buckets.length > 1 ? (
          <polyline class="chart-line" points={line} />
        ) : (
          <circle class="chart-line" cx={x(s.buckets[0].i)} cy={y(s.buckets[0].avg)} r="2" />
        )}
      </svg>
      <div class="chart-axis muted">
        <span>{f(lo)}</span>
        <span>{f(hi)}</span>
      </div>
    </figure>
  );
}

export function Charts(p: { data: ChartData; words: string }): Child {
  const { data } = p;
  return (
    <>
      <figure class="chart">
        <figcaption>
          <strong>State</strong> <span class="muted">{`over the last ${p.words}: ${plural(data.runs, 'run')}, ${data.fails} failed`}</span>
        </figcaption>
        <svg
          class="strip"
          viewBox={`0 0 ${data.width} 10`}
          preserveAspectRatio="none"
          role="img"
          aria-label={`state over the last ${p.words}: ${plural(data.runs, 'run')}, ${data.fails} failed`}
        >
          {data.strip.map((s) => (
            <rect x={s.from} y="0" width={s.to - s.from} height="10" class={`strip-${s.cls}`} />
          ))}
        </svg>
      </figure>
      {data.series.length === 0 ? (
        <p class="muted">{`No measurements in the last ${p.words}.`}</p>
      ) : (
        data.series.map((s) => <SeriesChart s={s} width={data.width} words={p.words} />)
      )}
    </>
  );
}
