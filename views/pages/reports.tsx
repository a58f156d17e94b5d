/** Uptime/SLA reports (issue 19): a range form, groups and checks with their figures, one check's outages. */
import type { Child } from 'hono/jsx';
import { type CheckReport, type GroupReport, type Report } from '../../src/web/view-data.ts';
import { Page } from '../layout.tsx';
import { ErrorList, checkUrl, enc } from '../ui.tsx';
import type { ReportFormValues, PropsOf } from '../../src/web/view-data.ts';

export type { ReportFormValues } from '../../src/web/view-data.ts';

/** `1 h 5 min`, `42 s` (a person's words, not ms). */
export function span(ms: number | null): string {
  if (ms === null) return '–';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

const pct = (v: number | null): string => (v === null ? 'no data' : `${v.toFixed(v === 100 ? 0 : 3)} %`);

function Figures(p: { r: Report }): Child {
  const { r } = p;
  return (
    <>
      <td data-label="Uptime" class="num">
        {pct(r.uptime)}
      </td>
      <td data-label="Outages" class="num">
        {r.outages.length}
      </td>
      <td data-label="Down for" class="num">
        {span(r.downMs)}
      </td>
      <td data-label="Mean time to recover" class="num">
        {span(r.mttrMs)}
      </td>
      <td data-label="Longest outage" class="num">
        {span(r.longestMs)}
      </td>
      <td data-label="No data" class="num">
        {r.noDataMs > 0 ? `${span(r.noDataMs)} (${r.noData.length}×)` : '–'}
      </td>
    </>
  );
}

const HEAD = ['Uptime', 'Outages', 'Down for', 'Mean time to recover', 'Longest outage', 'No data'];

function RangeForm(p: { v: ReportFormValues; action: string }): Child {
  return (
    <form method="get" action={p.action} class="toolbar report-range">
      <div class="field">
        <label for="month">Month</label>
        <input type="month" id="month" name="month" value={p.v.month} />
      </div>
      <span class="muted">or</span>
      <div class="field">
        <label for="from">From</label>
        <input type="date" id="from" name="from" value={p.v.from} />
      </div>
      <div class="field">
        <label for="to">To (inclusive)</label>
        <input type="date" id="to" name="to" value={p.v.to} />
      </div>
      <button type="submit" class="primary">
        Show
      </button>
    </form>
  );
}

export function ReportsPage(p: PropsOf<'ReportsPage'>): Child {
  const { ctx, report } = p;
  const q = p.query ? `?${p.query}` : '';
  const base = p.page ? `/status/${enc(p.page.slug)}/report` : '/reports';
  return (
    <Page ctx={ctx} title={p.page ? `Report: ${p.page.title}` : 'Reports'}>
      <h1>{p.page ? `Uptime report: ${p.page.title}` : 'Uptime report'}</h1>
      {p.page ? (
        <p>
          The checks and groups of the status page <a href={`/status/${enc(p.page.slug)}`}>{p.page.title}</a>. <a href={`/reports${q}`}>All checks</a>
        </p>
      ) : null}
      <p class="muted">Time with no results (siteward stopped, the check paused or not yet there) is left out of the uptime and listed as no data.</p>
      <RangeForm v={p.v} action={base} />
      {p.error ? <ErrorList errors={[p.error]} /> : null}
      {report ? (
        <>
          <h2>{p.label}</h2>
          <p class="muted">
            From {p.time(report.from)} to {p.time(report.to)}. <a href={`${base}.csv${q}`}>Download CSV</a> · <a href={`${base}.json${q}`}>JSON</a>
          </p>
          {report.groups.length ? (
            <>
              <h3>Groups</h3>
              <table class="rows report">
                <thead>
                  <tr>
                    <th>Group</th>
                    {HEAD.map((h) => (
                      <th>{h}</th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {report.groups.map((g: GroupReport) => (
                    <tr>
                      <td data-label="Group">
                        {p.page ? g.name : <a href={checkUrl(g.name)}>{g.name}</a>} <span class="muted">({g.members.length} checks)</span>
                      </td>
                      <Figures r={g} />
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          ) : null}
          <h3>Checks</h3>
          <table class="rows report">
            <thead>
              <tr>
                <th>Check</th>
                {HEAD.map((h) => (
                  <th>{h}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {report.checks.map((c: CheckReport) => (
                <tr>
                  <td data-label="Check">
                    <a href={`/reports/check/${enc(c.name)}${q}`}>{c.name}</a>
                  </td>
                  <Figures r={c} />
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </Page>
  );
}

export function CheckReportPage(p: PropsOf<'CheckReportPage'>): Child {
  const { ctx, r } = p;
  const q = p.query ? `?${p.query}` : '';
  return (
    <Page ctx={ctx} title={`Report: ${p.name}`}>
      <h1>
        Uptime of <a href={checkUrl(p.name)}>{p.name}</a>
      </h1>
      <RangeForm v={p.v} action={`/reports/check/${enc(p.name)}`} />
      {p.error ? <ErrorList errors={[p.error]} /> : null}
      {r ? (
        <>
          <h2>{p.label}</h2>
          <p class="muted">
            <a href={`${checkUrl(p.name)}/history.csv${q}`}>Download the raw history (CSV)</a> · <a href={`/reports${q}`}>All checks</a>
          </p>
          <table class="rows report">
            <thead>
              <tr>
                {HEAD.map((h) => (
                  <th>{h}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              <tr>
                <Figures r={r} />
              </tr>
            </tbody>
          </table>
          {r.truncated ? <p class="notice">This range has more runs than a report reads; the earliest are left out.</p> : null}
          <h3>Outages</h3>
          {r.outages.length ? (
            <table class="rows">
              <thead>
                <tr>
                  <th>Started</th>
                  <th>Ended</th>
                  <th>Length</th>
                </tr>
              </thead>
              <tbody>
                {r.outages.map((o) => (
                  <tr>
                    <td data-label="Started">{p.time(o.start)}</td>
                    <td data-label="Ended">{o.ongoing ? 'still failing' : p.time(o.end)}</td>
                    <td data-label="Length">{span(o.end - o.start)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p>None.</p>
          )}
          <h3>No data</h3>
          {r.noData.length ? (
            <table class="rows">
              <thead>
                <tr>
                  <th>From</th>
                  <th>To</th>
                  <th>Length</th>
                </tr>
              </thead>
              <tbody>
                {r.noData.map((o) => (
                  <tr>
                    <td data-label="From">{p.time(o.start)}</td>
                    <td data-label="To">{p.time(o.end)}</td>
                    <td data-label="Length">{span(o.end - o.start)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p>None: there are results for the whole range.</p>
          )}
        </>
      ) : null}
    </Page>
  );
}
