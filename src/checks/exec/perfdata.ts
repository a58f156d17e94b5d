/**
 * Plugin output as the Nagios Plugin Development Guidelines define it
 * (monitoring-plugins.org/doc/guidelines.html, "Plugin Output for Nagios"):
 *
 *     TEXT OUTPUT | OPTIONAL PERFDATA
 *     LONG TEXT LINE 1
 *     LONG TEXT LINE N | PERFDATA LINE 2
 *     PERFDATA LINE 3
 *
 * Performance data is `'label'=value[UOM];[warn];[crit];[min];[max]`,
 * space separated; a quote inside a quoted label is doubled. Plugins get this
 * wrong often enough that anything unreadable is skipped, never fatal.
 */
import type { Metric } from '../types.ts';
import { alerts, parseRange } from './ranges.ts';

export interface PluginOutput {
  summary: string;
  longText: string[];
  metrics: Metric[];
  /** the worst threshold a metric is beyond (its warn/crit range), or null */
  breach: Breach | null;
}

export interface Breach {
  level: 'warn' | 'crit';
  /** e.g. "load1 = 5.2 crosses the critical threshold 4" */
  line: string;
}

/** Most metrics kept from one run. */
const MAX_METRICS = 100;

const NUM = String.raw`[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][-+]?\d+)?`;
const VALUE = new RegExp(`^(${NUM})([^\\d;]*)$`);
const PLAIN = new RegExp(`^${NUM}$`);

const num = (s: string): number => Number(s.replace(',', '.'));

/** A threshold or bound: only a plain number is kept (ranges like `10:20` or `@5` are left out). */
function plain(s: string | undefined): number | undefined {
  if (s === undefined || !PLAIN.test(s)) return undefined;
  const n = num(s);
  return Number.isFinite(n) ? n : undefined;
}

export function parsePerfdata(text: string): Metric[] {
  return readPerfdata(text).metrics;
}

/** The metrics, and the worst warn/crit range a value is beyond (Nagios range syntax, ./ranges.ts). */
export function readPerfdata(text: string): { metrics: Metric[]; breach: Breach | null } {
  const out: Metric[] = [];
  let breach: Breach | null = null;
  let i = 0;
  const n = text.length;
  while (i < n && out.length < MAX_METRICS) {
    while (i < n && /\s/.test(text[i])) i++;
    if (i >= n) break;
    let label = '';
    if (text[i] === "'") {
      i++;
      for (;;) {
        if (i >= n) return { metrics: out, breach }; // unterminated quote: nothing more to read
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            label += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        label += text[i++];
      }
    } else {
      while (i < n && text[i] !== '=' && !/\s/.test(text[i])) label += text[i++];
    }
    if (text[i] !== '=') {
      // garbage: skip to the next space
      while (i < n && !/\s/.test(text[i])) i++;
      continue;
    }
    i++;
    let spec = '';
    while (i < n && !/\s/.test(text[i])) spec += text[i++];
    const [valueUom, warn, crit, min, max] = spec.split(';');
    const m = VALUE.exec(valueUom ?? '');
    if (!label || !m) continue; // includes the value "U" (undetermined)
    const value = num(m[1]);
    if (!Number.isFinite(value)) continue;
    const metric: Metric = { name: label, value };
    if (m[2]) metric.unit = m[2];
    const w = plain(warn);
    const c = plain(crit);
    const lo = plain(min);
    const hi = plain(max);
    if (w !== undefined) metric.warn = w;
    if (c !== undefined) metric.crit = c;
    if (lo !== undefined) metric.min = lo;
    if (hi !== undefined) metric.max = hi;
    out.push(metric);
    if (breach?.level !== 'crit') breach = beyond(label, value, m[2], warn, crit) ?? breach;
  }
  return { metrics: out, breach };
}

function beyond(label: string, value: number, unit: string, warn: string | undefined, crit: string | undefined): Breach | null {
  for (const [level, spec] of [
    ['crit', crit],
    ['warn', warn],
  ] as const) {
    const r = parseRange(spec);
    if (r && alerts(r, value)) return { level, line: `${label} = ${value}${unit} crosses the ${level === 'crit' ? 'critical' : 'warning'} threshold ${spec}` };
  }
  return null;
}

export function parsePluginOutput(stdout: string): PluginOutput {
  const lines = stdout.replace(/\r/g, '').split('\n');
  while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
  if (lines.length === 0) return { summary: '', longText: [], metrics: [], breach: null };
  const [first, ...rest] = lines;
  const bar = first.indexOf('|');
  const summary = (bar < 0 ? first : first.slice(0, bar)).trim();
  const perf: string[] = bar < 0 ? [] : [first.slice(bar + 1)];
  const longText: string[] = [];
  let inPerf = false;
  for (const l of rest) {
    if (inPerf) {
      perf.push(l);
      continue;
    }
    const b = l.indexOf('|');
    if (b < 0) {
      longText.push(l.trimEnd());
    } else {
      longText.push(l.slice(0, b).trimEnd());
      perf.push(l.slice(b + 1));
      inPerf = true;
    }
  }
  return { summary, longText, ...readPerfdata(perf.join(' ')) };
}
