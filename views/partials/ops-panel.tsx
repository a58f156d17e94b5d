/**
 * A check's operations (issue 19, docs/operations.md): acknowledge its
 * failure, put it in maintenance now or end that, and "why did it alert (or
 * not)": the decision taken for each recent transition.
 */
import type { Child } from 'hono/jsx';
import { type CheckVM, type DecisionVM } from '../../src/web/view-data.ts';
import { Csrf, checkUrl } from '../ui.tsx';

const DURATIONS: [string, string][] = [
  ['15', '15 minutes'],
  ['60', '1 hour'],
  ['240', '4 hours'],
  ['1440', '1 day'],
];

export function OpsPanel(p: { vm: CheckVM; csrf: string; operate: boolean; decisions: DecisionVM[] }): Child {
  const { vm } = p;
  const failing = vm.state === 'FAIL' || vm.state === 'SOFTFAIL' || vm.state === 'ERROR';
  return (
    <section class="ops" aria-labelledby="ops-h">
      <h2 id="ops-h">Alerts</h2>
      {vm.ack ? (
        <p class="ops-tag ack">
          Acknowledged by {vm.ack.by} at {vm.ack.at}
          {vm.ack.comment ? `: ${vm.ack.comment}` : ''}. No reminders or escalation until it recovers.
        </p>
      ) : null}
      {vm.maintenance ? (
        <p class="ops-tag maint">
          In maintenance until {vm.maintenance.until} (window “{vm.maintenance.window}”{vm.maintenance.by ? `, started by ${vm.maintenance.by}` : ''})
          {vm.maintenance.reason ? `: ${vm.maintenance.reason}` : ''}. The check runs; nobody is notified.
        </p>
      ) : null}
      {p.operate ? (
        <div class="ops-forms">
          {failing && !vm.ack ? (
            <form method="post" action={checkUrl(vm.name, '/ack')} class="toolbar">
              <Csrf token={p.csrf} />
              <label for="ack-comment">Comment</label>
              <input id="ack-comment" name="comment" maxlength={1000} placeholder="e.g. replacing the disk" />
              <button type="submit" class="primary">
                Acknowledge
              </button>
            </form>
          ) : null}
          {vm.maintenance ? (
            <form method="post" action={checkUrl(vm.name, '/maintenance/end')} class="toolbar">
              <Csrf token={p.csrf} />
              <button type="submit">End maintenance now</button>
            </form>
          ) : (
            <form method="post" action={checkUrl(vm.name, '/maintenance')} class="toolbar">
              <Csrf token={p.csrf} />
              <label for="maint-minutes">Maintenance for</label>
              <select id="maint-minutes" name="minutes">
                {DURATIONS.map(([v, t]) => (
                  <option value={v} selected={v === '60'}>
                    {t}
                  </option>
                ))}
              </select>
              <label for="maint-reason">Why</label>
              <input id="maint-reason" name="reason" maxlength={1000} placeholder="e.g. firmware update" />
              <button type="submit">Start maintenance</button>
            </form>
          )}
        </div>
      ) : null}
      <h3>Why it alerted (or not)</h3>
      {p.decisions.length === 0 ? (
        <p class="muted">No transitions recorded yet.</p>
      ) : (
        <ol class="decisions">
          {p.decisions.map((d) => (
            <li>
              <span class="muted">{d.at}</span> {d.summary}
              {d.facts.length ? <div class="muted">{d.facts.join(' · ')}</div> : null}
              {d.skipped.length ? (
                <ul>
                  {d.skipped.map((s) => (
                    <li>
                      {s.action}: {s.why}
                    </li>
                  ))}
                </ul>
              ) : null}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
