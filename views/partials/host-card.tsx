/**
 * One host's card on /hosts (issue 22 "Hosts"): its name, role and state
 * (a silent host says so, never PASS), when it was last heard from, its
 * checks summarised, a tile per host check (cpu, memory, disk, temp, net,
 * ups) with the level and a server-drawn SVG sparkline of the last 6 hours,
 * and a card per TrueNAS pool. Live-swapped by id (hx-swap-oob).
 */
import type { Child } from 'hono/jsx';
import { cid, type DisplayState, type HostVM, plural, type PoolVM, sparkGeometry, type TileVM, type PropsOf } from '../../src/web/view-data.ts';
import { NasAlerts, PoolLayout } from './pool-layout.tsx';
import { checkUrl } from '../ui.tsx';
import { Ago } from './check-row.tsx';

export const hostId = (key: string): string => `host-${cid(key)}`;

const SW = 120;
const SH = 32;
/** the span a sparkline covers (src/web/hosts/series.ts SPAN) */
const SPAN_MS = 6 * 3_600_000;
const SLOT_MS = 300_000;

const STATE_WORDS: Record<DisplayState | 'SILENT', string> = {
  PASS: 'all passing',
  WARN: 'warning',
  FAIL: 'failing',
  SOFTFAIL: 'failing (dependency)',
  PAUSED: 'paused',
  ERROR: 'configuration error',
  PENDING: 'pending',
  SILENT: 'silent',
};

const fmt = (v: number): string => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));

export function TileSpark(p: { tile: TileVM; now: number }): Child {
  const { tile } = p;
  const g = sparkGeometry(tile.spark, {
    width: SW,
    height: SH,
    from: p.now - SPAN_MS,
    to: p.now,
    gapMs: 2 * SLOT_MS,
    scale: tile.unit === '%' ? { min: 0, max: 100 } : undefined,
  });
  if (!g.last) return <span class="tile-nospark muted">no history yet</span>;
  const u = tile.unit ? ` ${tile.unit}` : '';
  const label = `${tile.label}, last 6 hours: ${g.low === g.high ? fmt(g.low) : `${fmt(g.low)} to ${fmt(g.high)}`}${u}, latest ${fmt(g.last.v)}${u}`;
  return (
    <svg class="hspark" viewBox={`0 0 ${SW} ${SH}`} preserveAspectRatio="none" role="img" aria-label={label}>
      <title>{label}</title>
      <line class="base" x1="0" y1={SH - 0.5} x2={SW} y2={SH - 0.5} />
      {g.lines.map((pts) => (
        <polyline class="line" points={pts} />
      ))}
      {g.dots.map((d) => (
        <circle class="line" cx={d.x} cy={d.y} r="1.5" />
      ))}
    </svg>
  );
}

function Tile(p: { tile: TileVM; now: number }): Child {
  const t = p.tile;
  return (
    <li class="htile" data-state={t.state} data-check={t.check}>
      <a href={checkUrl(t.check)} title={`${t.check}: ${STATE_WORDS[t.state]}`}>
        <span class="tile-label">{t.label}</span>
        <span class="tile-value">{t.value ?? '–'}</span>
        <span class="tile-state">{STATE_WORDS[t.state]}</span>
      </a>
      <TileSpark tile={t} now={p.now} />
    </li>
  );
}

/** A pool's capacity as a bar with its WARN and FAIL marks (SVG with classes: no inline style). */
export function PoolCard(p: { pool: PoolVM }): Child {
  const x = p.pool;
  const used = x.used === null ? null : Math.min(100, Math.max(0, x.used));
  const marks = [
    x.warn !== null ? `${x.marks.warn === 'check' ? 'warning' : 'high'} above ${x.warn} %` : null,
    x.crit !== null ? `${x.marks.crit === 'check' ? 'failing' : 'very high'} above ${x.crit} %` : null,
  ].filter((s) => s !== null);
  const label = `${x.pool}: ${used === null ? 'capacity not reported' : `${fmt(x.used!)} % used`}${marks.length ? `; ${marks.join(', ')}` : ''}`;
  return (
    <section class="pool" data-band={x.band} data-healthy={x.healthy ? 'yes' : 'no'} aria-label={`Pool ${x.pool}`}>
      <h4>
        {x.pool} <span class={x.healthy ? 'pool-health ok' : 'pool-health bad'}>{x.status ?? 'status unknown'}</span>
      </h4>
      <svg class="capacity" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" aria-label={label}>
        <title>{label}</title>
        <rect class="cap-bg" x="0" y="0" width="100" height="10" />
        {used !== null ? <rect class={`cap-used ${x.band}`} x="0" y="0" width={used} height="10" /> : null}
        {x.warn !== null ? <line class="cap-warn" x1={x.warn} y1="0" x2={x.warn} y2="10" /> : null}
        {x.crit !== null ? <line class="cap-crit" x1={x.crit} y1="0" x2={x.crit} y2="10" /> : null}
      </svg>
      <p class="muted pool-text">
        {label} · <a href={checkUrl(x.check)}>{x.check}</a>
      </p>
      <PoolLayout pool={x} />
      {x.problems.length ? (
        <ul class="pool-problems">
          {x.problems.map((l) => (
            <li>{l}</li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function Counts(p: { host: HostVM }): Child {
  const h = p.host;
  const order: DisplayState[] = ['FAIL', 'SOFTFAIL', 'ERROR', 'WARN', 'PENDING', 'PAUSED', 'PASS'];
  const parts = order.filter((s) => (h.counts[s] ?? 0) > 0).map((s) => `${h.counts[s]} ${s === 'ERROR' ? 'config error' : s.toLowerCase()}`);
  return (
    <p class="host-sum">
      {h.filter ? <a href={`/checks?${h.filter}`}>{plural(h.total, 'check')}</a> : plural(h.total, 'check')}
      {parts.length ? `: ${parts.join(', ')}` : null}
    </p>
  );
}

export function HostCard(p: PropsOf<'HostCard'>): Child {
  const h = p.host;
  const id = hostId(h.key);
  return (
    <article id={id} class="card host" data-state={h.state} aria-labelledby={`${id}-h`} hx-swap-oob={p.oob ? 'true' : undefined}>
      <header class="host-head">
        <h2 id={`${id}-h`}>{h.name}</h2>
        <span class="host-state" data-state={h.state}>
          {h.total === 0 && h.zone?.status === 'up' ? 'up' : STATE_WORDS[h.state]}
        </span>
      </header>
      <p class="muted host-seen">
        {h.role}
        {h.zone
          ? ` · ${h.zone.status === 'up' ? 'up' : 'down'}, runs ${plural(h.zone.checks, 'check')}${h.zone.version ? `, siteward ${h.zone.version}` : ''}`
          : null}
        {h.key === 'self' ? null : (
          <>
            {' · last heard from '}
            <Ago t={h.lastSeen} text={h.lastSeen === null ? '' : new Date(h.lastSeen).toISOString()} now={p.now} />
          </>
        )}
        {h.silent ? <strong class="host-silent"> · {h.silent}</strong> : null}
      </p>
      <Counts host={h} />
      {h.tiles.length ? (
        <ul class="htiles" aria-label={`${h.name}: host checks`}>
          {h.tiles.map((t) => (
            <Tile tile={t} now={p.now} />
          ))}
        </ul>
      ) : (
        <p class="muted">No cpu, memory, disk, temperature, network or UPS checks for this host.</p>
      )}
      {h.moreTiles ? <p class="muted">and {plural(h.moreTiles, 'more host check')}</p> : null}
      {h.pools.length || h.alerts.length ? (
        <div class="pools">
          <h3>Storage pools</h3>
          {h.pools.map((x) => (
            <PoolCard pool={x} />
          ))}
          <NasAlerts alerts={h.alerts} />
        </div>
      ) : null}
    </article>
  );
}

/** Every card; swapped whole (oob) when hosts come or go. */
export function HostGrid(p: PropsOf<'HostGrid'>): Child {
  return (
    <div id="hosts" class="hosts" hx-swap-oob={p.oob ? 'true' : undefined}>
      {p.hosts.map((h) => (
        <HostCard host={h} now={p.now} />
      ))}
    </div>
  );
}
