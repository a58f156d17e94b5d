/**
 * A TrueNAS pool's vdev layout on its card (issue 22, TrueMonitor's view):
 * one group per vdev labelled by its layout (mirror, raidz2, stripe) or role
 * (cache, log, spare), and one square per disk coloured by its state (ONLINE
 * ok, errors warn, FAULTED/DEGRADED/UNAVAIL/REMOVED fail) with the drive
 * name, status and error counts as its title and accessible name; and the
 * TrueNAS checks' active alerts. Classes only (strict CSP).
 */
import type { Child } from 'hono/jsx';
import type { NasAlertVM, PoolVM } from '../../src/web/view-data.ts';
import { checkUrl } from '../ui.tsx';

const MARK = { ok: '', warn: '!', fail: '×' } as const;

export function PoolLayout(p: { pool: PoolVM }): Child {
  const x = p.pool;
  if (x.vdevs === null) return <p class="muted pool-text">Disk layout: shown after the check's next run.</p>;
  if (x.vdevs.length === 0) return <p class="muted pool-text">No vdevs reported.</p>;
  return (
    <ul class="vdevs" aria-label={`${x.pool}: vdevs and disks`}>
      {x.vdevs.map((v) => (
        <li class="vdev" data-status={v.status}>
          <span class="vdev-label">
            {v.label}
            {v.status !== 'ONLINE' && v.status !== 'AVAIL' ? <span class="vdev-status"> {v.status}</span> : null}
          </span>
          <span class="disks">
            {v.disks.map((d) => (
              <span class={`disk ${d.state}`} role="img" aria-label={d.label} title={d.label} tabindex={0}>
                {MARK[d.state]}
              </span>
            ))}
          </span>
        </li>
      ))}
      {x.omitted ? <li class="muted vdev">and {x.omitted} more disks not shown</li> : null}
    </ul>
  );
}

export function NasAlerts(p: { alerts: NasAlertVM[] }): Child {
  if (p.alerts.length === 0) return null;
  return (
    <section class="nas-alerts" aria-label="TrueNAS alerts">
      <h4>TrueNAS alerts</h4>
      <ul>
        {p.alerts.map((a) => (
          <li data-level={a.level}>
            {a.level ? <strong class="alert-level">{a.level.toLowerCase()}</strong> : null} {a.text}{' '}
            <a class="muted" href={checkUrl(a.check)}>
              {a.check}
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
