/**
 * Panels about the subsystems around a check or the site: a push check's
 * heartbeat URLs, public badges, a remote check's sender, the MQTT
 * federation's status and an action's delivery health.
 */
import type { Child } from 'hono/jsx';
import type { ActionHealthVM, BadgeVM, FederationStats, FederationVM, PushVM, RemoteVM } from '../../src/web/view-data.ts';

/** A read-only text with a copy button (app.js copies `data-copy`'s element). */
export function CopyField(p: { id: string; label: string; value: string; multiline?: boolean }): Child {
  return (
    <div class="field copy">
      <label for={p.id}>{p.label}</label>
      <div class="copyrow">
        {p.multiline ? (
          <textarea id={p.id} readonly rows={2} spellcheck={false}>
            {p.value}
          </textarea>
        ) : (
          <input type="text" id={p.id} readonly value={p.value} spellcheck={false} autocomplete="off" />
        )}
        <button type="button" data-copy={p.id}>
          Copy
        </button>
      </div>
    </div>
  );
}

export function PushPanel(p: { vm: PushVM; operate: boolean }): Child {
  const { vm } = p;
  return (
    <section class="card" id="push" aria-labelledby="push-h">
      <h2 id="push-h">Push URL</h2>
      <p class="muted">
        A job or host reports by calling this URL (GET or POST): each call is a heartbeat; add <code>?status=fail</code> (and <code>&amp;msg=…</code>) to report
        a failure. The check fails when no heartbeat arrives within {vm.timeout ?? '?'} s + {vm.grace ?? '?'} s grace. The URL is the secret: anyone who has it
        can report.
      </p>
      {!p.operate ? (
        <p class="muted">Operators see the URL here.</p>
      ) : vm.token === null ? (
        <p class="notice">No token yet: siteward generates one and saves it in the site file when the API is running. Reload this page in a moment.</p>
      ) : (
        <>
          {vm.urls.map((u, i) => (
            <CopyField id={`push-url-${i}`} label={i === 0 ? 'Heartbeat URL' : 'Heartbeat URL (API listener)'} value={u} />
          ))}
          <h3>Examples</h3>
          {vm.examples.map((x, i) => (
            <CopyField id={`push-ex-${i}`} label={x.label} value={x.command} multiline />
          ))}
        </>
      )}
    </section>
  );
}

export function BadgePanel(p: { vm: BadgeVM }): Child {
  const { vm } = p;
  return (
    <section class="card" id="badges" aria-labelledby="badges-h">
      <h2 id="badges-h">Badges</h2>
      <p class="muted">Public SVG images of this check's state and uptime, for README files and status pages (no login needed).</p>
      <p class="badges">
        <img src={vm.state} alt="state badge" /> <img src={vm.uptime} alt="uptime badge" />
      </p>
      <CopyField id="badge-state" label="State badge URL" value={vm.state} />
      <CopyField id="badge-uptime" label="Uptime badge URL (30 days; ?days=1…365)" value={vm.uptime} />
      <CopyField id="badge-md" label="Markdown" value={vm.markdown} multiline />
      <CopyField id="badge-html" label="HTML" value={vm.html} multiline />
    </section>
  );
}

export function RemotePanel(p: { vm: RemoteVM }): Child {
  const { vm } = p;
  return (
    <section class="card" id="remote" aria-labelledby="remote-h">
      <h2 id="remote-h">Remote source</h2>
      {!vm.running ? (
        <p class="muted">The MQTT service is not running in this process: this check is not being updated.</p>
      ) : (
        <dl class="facts">
          <dt>Broker</dt>
          <dd>{vm.connected ? <span class="ok">connected</span> : <span class="err">not connected</span>}</dd>
          <dt>Sent by instance</dt>
          <dd>{vm.instance ?? '(not said: a fletchck or an older siteward sender)'}</dd>
          {vm.offline !== null ? (
            <>
              <dt>Instance state</dt>
              <dd class="err">offline: {vm.offline}</dd>
            </>
          ) : null}
          <dt>Topic</dt>
          <dd>{vm.topic ?? '(no update received since start)'}</dd>
          <dt>Last update</dt>
          <dd>{vm.lastUpdate || 'never'}</dd>
          <dt>Fails for silence at</dt>
          <dd>{vm.staleAt ?? 'never (no timeout option)'}</dd>
        </dl>
      )}
    </section>
  );
}

type Counter = { [K in keyof FederationStats]: FederationStats[K] extends number ? K : never }[keyof FederationStats];

const COUNTERS: [Counter, string][] = [
  ['connects', 'connections'],
  ['disconnects', 'connections lost'],
  ['received', 'messages received'],
  ['applied', 'remote updates applied'],
  ['autoadded', 'remote checks added'],
  ['statuses', 'instance statuses'],
  ['rejectedTotal', 'messages rejected'],
  ['published', 'states published'],
  ['publishErrors', 'publish errors'],
  ['queued', 'waiting for the broker'],
  ['dropped', 'dropped (queue full)'],
  ['stale', 'remote checks failed for silence'],
  ['offline', 'remote checks failed: instance offline'],
];

export function FederationPanel(p: { vm: FederationVM }): Child {
  const { vm } = p;
  const s = vm.stats;
  return (
    <section class="card" id="federation" aria-labelledby="federation-h">
      <h2 id="federation-h">MQTT federation status</h2>
      {!vm.configured ? (
        <p class="muted">MQTT is off (no mqtt section). Tick “Use MQTT” below to connect to a broker.</p>
      ) : !vm.running ? (
        <p class="muted">MQTT is configured, but its service does not run in this process.</p>
      ) : (
        <>
          <dl class="facts">
            <dt>Broker</dt>
            <dd>
              {vm.broker ?? '(hostname empty: not connecting)'} —{' '}
              {vm.connected ? <strong class="ok">connected</strong> : <strong class="err">not connected</strong>}
            </dd>
            <dt>This instance</dt>
            <dd>{vm.instance ?? ''}</dd>
            <dt>Last problem</dt>
            <dd class={vm.problem ? 'err' : undefined}>{vm.problem ? `${vm.problem.message}${vm.problem.at ? ` (${vm.problem.at})` : ''}` : 'none'}</dd>
          </dl>
          {s ? (
            <table class="rows counters">
              <thead>
                <tr>
                  <th>Counter (since start)</th>
                  <th>Value</th>
                </tr>
              </thead>
              <tbody>
                {COUNTERS.map(([k, label]) => (
                  <tr>
                    <td data-label="Counter">{label}</td>
                    <td data-label="Value">{String(s[k])}</td>
                  </tr>
                ))}
                {Object.entries(s.rejected).map(([why, n]) => (
                  <tr>
                    <td data-label="Counter">rejected: {why}</td>
                    <td data-label="Value">{String(n)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </>
      )}
    </section>
  );
}

export function HealthBadge(p: { h: ActionHealthVM | null }): Child {
  const h = p.h;
  if (!h) return <span class="muted">not recorded</span>;
  if (h.state === 'failing')
    return (
      <span class="err" title={h.lastError ?? ''}>
        failing
      </span>
    );
  return h.state === 'ok' ? <span class="ok">delivering</span> : <span class="muted">nothing sent yet</span>;
}

export function ActionHealthPanel(p: { h: ActionHealthVM | null }): Child {
  const h = p.h;
  return (
    <section class="card" id="health" aria-labelledby="health-h">
      <h2 id="health-h">Delivery</h2>
      {!h ? (
        <p class="muted">This notifier does not record deliveries.</p>
      ) : (
        <dl class="facts">
          <dt>State</dt>
          <dd>
            <HealthBadge h={h} />
          </dd>
          <dt>Last sent</dt>
          <dd>{h.lastSent || 'never'}</dd>
          <dt>Last error</dt>
          <dd class={h.state === 'failing' ? 'err' : undefined}>{h.lastError ? `${h.lastError} (${h.lastErrorAt})` : 'none'}</dd>
          <dt>Waiting</dt>
          <dd>
            {h.queued} {h.queued === 1 ? 'notification' : 'notifications'} (pending retries, or held for a digest)
          </dd>
          <dt>Given up</dt>
          <dd>
            {h.failed} {h.failed === 1 ? 'notification' : 'notifications'} (a permanent error, or retries ran out)
          </dd>
        </dl>
      )}
    </section>
  );
}
