/**
 * A check's history: uptime over 24 h / 7 d / 30 d, a server-rendered SVG
 * sparkline of its main measurement over the last day, its transitions, and
 * notification deliveries when the notifier records them.
 */
import type { Child } from 'hono/jsx';
import { type DeliveryRecord, percentText, plural, type Spark, type PropsOf } from '../../src/web/view-data.ts';
import { actionUrl } from '../ui.tsx';

const W = 600;
const H = 80;

function fmt(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
}

export function Sparkline(p: { spark: Spark }): Child {
  const s = p.spark;
  if (s.points.length === 0) return <p class="muted">No runs in the last 24 hours.</p>;
  const span = Math.max(1, s.to - s.from);
  const range = s.max - s.min || 1;
  const x = (t: number): number => Math.round(((t - s.from) / span) * W * 10) / 10;
  const y = (v: number): number => Math.round((H - 10 - ((v - s.min) / range) * (H - 20)) * 10) / 10;
  // one polyline per run of consecutive values (gaps where a run had no value)
  const lines: string[] = [];
  let cur: string[] = [];
  for (const pt of s.points) {
    if (pt.v === null) {
      if (cur.length) lines.push(cur.join(' '));
      cur = [];
    } else {
      cur.push(`${x(pt.t)},${y(pt.v)}`);
    }
  }
  if (cur.length) lines.push(cur.join(' '));
  const fails = s.points.filter((pt) => pt.fail).length;
  const title = `${s.series} over the last 24 hours: min ${fmt(s.min)}${s.unit}, max ${fmt(s.max)}${s.unit}; ${plural(s.points.length, 'sample')}, ${fails} failing`;
  return (
    <figure>
      <svg class="spark" viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-label={title}>
        <title>{title}</title>
        <line class="base" x1="0" y1={H - 1} x2={W} y2={H - 1} />
        {lines.map((pts) =>
          pts.includes(' ') ? <polyline class="line" points={pts} /> : <circle class="line" cx={pts.split(',')[0]} cy={pts.split(',')[1]} r="1.5" />,
        )}
        {s.points
          .filter((pt) => pt.fail)
          .map((pt) => (
            <rect class="failmark" x={Math.max(0, x(pt.t) - 1)} y={H - 6} width="2" height="6" />
          ))}
      </svg>
      <figcaption class="muted">{title}</figcaption>
    </figure>
  );
}

/** What a delivery's status means, in words, after the status itself (src/actions/outbox/store.ts DeliveryStatus). */
export function deliveryDetail(d: DeliveryRecord, zoneTime: (t: number | null | undefined) => string): string {
  const tries = plural(d.attempts, 'attempt');
  switch (d.status) {
    case 'sent':
      return `${d.sentAt ? zoneTime(d.sentAt) : ''}${d.attempts > 1 ? ` after ${tries}` : ''}`;
    case 'pending':
      return d.attempts === 0 ? 'queued' : `${tries} failed; next try ${zoneTime(d.nextAt)}`;
    case 'held':
      return 'by storm control: goes out in one digest when the minute ends';
    case 'digested':
      return `sent inside digest #${d.digestId ?? '?'}`;
    case 'failed':
      return `given up after ${tries}`;
    default:
      return '';
  }
}

export function Deliveries(p: { rows: DeliveryRecord[] | null; zoneTime: (t: number | null | undefined) => string; showCheck?: boolean }): Child {
  if (p.rows === null) return <p class="muted">This notifier does not record deliveries; the transitions above say whether actions were notified.</p>;
  if (p.rows.length === 0) return <p class="muted">No notifications yet.</p>;
  return (
    <table class="rows deliveries">
      <thead>
        <tr>
          <th>Time</th>
          {p.showCheck ? <th>Check</th> : <th>Action</th>}
          <th>Kind</th>
          <th>State</th>
          <th>Status</th>
          <th>Last error</th>
        </tr>
      </thead>
      <tbody>
        {p.rows.map((d) => (
          <tr>
            <td data-label="Time">{p.zoneTime(d.created)}</td>
            {p.showCheck ? (
              <td data-label="Check">{d.check ?? (d.kind === 'test' ? '(test)' : '')}</td>
            ) : (
              <td data-label="Action">
                <a href={actionUrl(d.action)}>{d.action}</a>
              </td>
            )}
            <td data-label="Kind">{d.kind}</td>
            <td data-label="State">
              <span class={`state st-${d.state}`}>{d.state}</span>
            </td>
            <td data-label="Status">
              <span class={`dl dl-${d.status}`}>{d.status}</span> <span class="muted">{deliveryDetail(d, p.zoneTime)}</span>
            </td>
            <td data-label="Last error">{d.lastError ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function History(p: PropsOf<'History'>): Child {
  return (
    <section id={`hist-${p.id}`} class="card" aria-labelledby={`hist-${p.id}-h`} hx-swap-oob={p.oob ? 'true' : undefined}>
      <h2 id={`hist-${p.id}-h`}>History</h2>
      <div class="uptime">
        {p.uptime.map((u) => (
          <div>
            <span class="muted">Uptime {u.label}</span>
            <strong>{percentText(u)}</strong>
            <span class="muted">
              {plural(u.runs, 'run')}
              {u.runs && u.coverage < 0.95 ? `, data for ${Math.round(u.coverage * 100)} % of the time` : ''}
            </span>
          </div>
        ))}
      </div>
      <Sparkline spark={p.spark} />
      <h3>Transitions</h3>
      {p.transitions.length === 0 ? (
        <p class="muted">No transitions recorded.</p>
      ) : (
        <table class="rows">
          <thead>
            <tr>
              <th>Time</th>
              <th>To</th>
              <th>Notified</th>
              <th>Log</th>
            </tr>
          </thead>
          <tbody>
            {p.transitions.map((t) => (
              <tr>
                <td data-label="Time">{t.at}</td>
                <td data-label="To">
                  <span class={`state st-${t.to}`}>{t.to}</span>
                </td>
                <td data-label="Notified">{t.notified ? 'yes' : 'no'}</td>
                <td data-label="Log">
                  <pre class="log">{t.log.join('\n')}</pre>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Notifications</h3>
      <Deliveries rows={p.deliveries} zoneTime={p.zoneTime} />
    </section>
  );
}
