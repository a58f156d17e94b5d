/**
 * A check's incident timeline (src/web/incidents.ts): each FAIL period,
 * newest first, with when it began and ended, how long, the run logs that
 * opened and closed it, the notifications about it with their delivery
 * status, and who acted on it. Paged with links (works without script).
 */
import type { Child } from 'hono/jsx';
import { checkUrl, type IncidentPage, type IncidentVM, plural } from '../../src/web/view-data.ts';
import { deliveryDetail } from './history.tsx';

function Incident(p: { i: IncidentVM; zoneTime: (t: number | null | undefined) => string }): Child {
  const { i } = p;
  return (
    <li class={`incident${i.end === null ? ' ongoing' : ''}`}>
      <p class="incident-head">
        <span class="state st-FAIL">FAIL</span>{' '}
        {i.end === null ? <strong>{`since ${i.start}, ${i.duration} so far`}</strong> : <strong>{`${i.start} to ${i.end} (${i.duration})`}</strong>}
        {i.endedAs ? <span class="muted">{` then ${i.endedAs}`}</span> : null}
      </p>
      <div class="incident-body">
        <div>
          <span class="muted">Opened by</span>
          <pre class="log">{i.opened.join('\n') || '(no log)'}</pre>
        </div>
        {i.closed ? (
          <div>
            <span class="muted">Closed by</span>
            <pre class="log">{i.closed.join('\n') || '(no log)'}</pre>
          </div>
        ) : null}
        <div>
          <span class="muted">Notifications</span>
          {i.notifications.length === 0 ? (
            <p class="muted">none recorded</p>
          ) : (
            <ul class="plain">
              {i.notifications.map((d) => (
                <li>
                  {`${p.zoneTime(d.created)} ${d.action} (${d.state}): `}
                  <span class={`dl dl-${d.status}`}>{d.status}</span> <span class="muted">{deliveryDetail(d, p.zoneTime)}</span>
                  {d.lastError ? <span class="muted">{` — ${d.lastError}`}</span> : null}
                </li>
              ))}
            </ul>
          )}
        </div>
        {i.people.length ? (
          <div>
            <span class="muted">People</span>
            <ul class="plain">
              {i.people.map((l) => (
                <li>{l}</li>
              ))}
            </ul>
          </div>
        ) : null}
      </div>
    </li>
  );
}

export function Incidents(p: { name: string; d: IncidentPage; zoneTime: (t: number | null | undefined) => string }): Child {
  const { d } = p;
  const link = (n: number): string => `${checkUrl(p.name, `?incidents=${n}`)}#incidents`;
  return (
    <section id="incidents" class="card" aria-labelledby="incidents-h">
      <h2 id="incidents-h">Incidents</h2>
      {d.total === 0 ? (
        <p class="muted">No FAIL periods recorded.</p>
      ) : (
        <>
          <p class="muted">{`${plural(d.total, 'FAIL period')} in the recorded transitions, newest first.`}</p>
          <ol class="timeline">
            {d.incidents.map((i) => (
              <Incident i={i} zoneTime={p.zoneTime} />
            ))}
          </ol>
          {d.pages > 1 ? (
            <nav class="pager" aria-label="Incident pages">
              {d.page > 1 ? <a href={link(d.page - 1)}>Newer</a> : null}
              <span>{`Page ${d.page} of ${d.pages}`}</span>
              {d.page < d.pages ? <a href={link(d.page + 1)}>Older</a> : null}
            </nav>
          ) : null}
        </>
      )}
    </section>
  );
}
