/**
 * Site configuration (spec §8.5, admin only): site name, time zone, web UI,
 * MQTT and siteward's own sections, each derived from its schema; and the raw
 * JSON editor for the whole site file with validation, diff and roll back.
 */
import type { Child } from 'hono/jsx';
import type { PropsOf } from '../../src/web/view-data.ts';
import { Page } from '../layout.tsx';
import { Csrf, ErrorList } from '../ui.tsx';
import { CheckboxField, OptionFields, TextField } from '../partials/fields.tsx';
import { FederationPanel } from '../partials/integrations.tsx';

export type { ConfigSections, RawResult } from '../../src/web/view-data.ts';

export function ConfigPage(p: PropsOf<'ConfigPage'>): Child {
  const { ctx, s, f } = p;
  return (
    <Page ctx={ctx} title="Config">
      <h1>Site configuration</h1>
      {p.flash ? (
        <div class="notice" role="status">
          {p.flash}
        </div>
      ) : null}
      <div class="toolbar">
        <a class="btn" href="/actions">
          Actions
        </a>
        <a class="btn" href="/users">
          Users
        </a>
        <a class="btn" href="/tokens">
          API tokens
        </a>
        <a class="btn" href="/config/raw">
          Edit the site file (JSON)
        </a>
      </div>
      <p class="muted">
        Site file: <code>{p.file}</code> (folder <code>{p.base}</code>)
      </p>
      {p.fletchck ? (
        <div class="notice" role="note" id="fletchck-compat">
          <strong>Not for fletchck.</strong> {p.fletchck}.
        </div>
      ) : null}
      <FederationPanel vm={p.fed} />
      <form method="post" action="/config" class="stack" novalidate>
        <Csrf token={ctx.csrf} />
        <input type="hidden" name="version" value={p.version} />
        {p.conflict ? (
          <div class="errors" role="alert">
            <strong>The configuration was changed by someone else since you opened it.</strong> Nothing was saved; reload and try again.
          </div>
        ) : null}
        <ErrorList errors={s.general} />
        <fieldset>
          <legend>Site</legend>
          <TextField name="timezone" label="Time zone" s={s} help="IANA zone for display, schedules and notifications; empty = the host's local time" />
        </fieldset>
        <fieldset>
          <legend>Web UI</legend>
          <OptionFields fields={f.webui} prefix="webui." s={s} checkNames={[]} />
          <p class="help muted">A change of address, port or TLS files moves the web UI; certificate files are re-read without a restart.</p>
        </fieldset>
        <fieldset>
          <legend>MQTT</legend>
          <CheckboxField name="mqtt.enable" label="Use MQTT (federation with other siteward or fletchck instances)" s={s} />
          <p class="help muted">Keys of the mqtt section this form does not show are kept. Unticking removes the whole section.</p>
          <OptionFields fields={f.mqtt} prefix="mqtt." s={s} checkNames={[]} />
        </fieldset>
        <fieldset>
          <legend>Plugins</legend>
          <p class="help muted">
            The only folders <code>exec</code> checks may run programs from. Only administrators can change them.
          </p>
          <OptionFields fields={f.plugins} prefix="plugins." s={s} checkNames={[]} />
        </fieldset>
        <fieldset>
          <legend>History and scheduling</legend>
          <OptionFields fields={f.history} prefix="history." s={s} checkNames={[]} />
          <OptionFields fields={f.scheduler} prefix="scheduler." s={s} checkNames={[]} />
        </fieldset>
        <fieldset>
          <legend>Notification delivery</legend>
          <p class="help muted">Retries, back-off and storm control of the outbox (see the actions' delivery health).</p>
          <OptionFields fields={f.notifications} prefix="notifications." s={s} checkNames={[]} />
        </fieldset>
        <fieldset>
          <legend>API, metrics, push and badges</legend>
          <p class="help muted">
            These endpoints are also served on the web UI's port. An address and port of their own (for push heartbeats with the web UI off) apply at the next
            start; badges and metrics authentication apply at once. Tokens: <a href="/tokens">API tokens</a>.
          </p>
          <OptionFields fields={f.api} prefix="api." s={s} checkNames={[]} />
        </fieldset>
        <div class="toolbar">
          <button type="submit" class="primary">
            Save
          </button>
        </div>
      </form>
      <section class="card" id="ack-links">
        <h2>Acknowledgement links</h2>
        <p class="help muted">
          Failure notifications carry a signed link that acknowledges the failure (when notification delivery has the web UI's public address). Its key is kept
          in the site database. Replacing it makes every link sent so far stop working; the site log records who did it.
        </p>
        <form method="post" action="/config/ack-links/rotate" class="toolbar">
          <Csrf token={ctx.csrf} />
          <button type="submit" class="danger">
            Replace the link key
          </button>
        </form>
      </section>
    </Page>
  );
}

export function DiffView(p: PropsOf<'DiffView'>): Child {
  const d = p.diff;
  if (d.tooLarge) return <p class="notice">The files differ in too many places to show line by line.</p>;
  if (d.hunks.length === 0) return <p class="muted">No differences.</p>;
  return (
    <div>
      <p class="muted">
        {p.from} → {p.to}: {d.removed} lines removed, {d.added} added
      </p>
      <div class="diff" role="region" aria-label="differences">
        {d.hunks.map((h) => (
          <>
            <div class="hunk">
              @@ -{h.aStart} +{h.bStart} @@
            </div>
            {h.lines.map((l) => (
              <div class={l.op === '+' ? 'add' : l.op === '-' ? 'del' : undefined}>{`${l.op} ${l.text}`}</div>
            ))}
          </>
        ))}
      </div>
    </div>
  );
}

export function RawResultView(p: PropsOf<'RawResultView'>): Child {
  const r = p.r;
  return (
    <div id="raw-result" aria-live="polite">
      {r === null ? null : (
        <>
          {r.saved ? (
            <div class="notice ok" role="status">
              Saved and applied.
            </div>
          ) : null}
          {r.ok && !r.saved ? <p class="ok">Valid{r.warnings.length ? ` (with ${r.warnings.length} warnings)` : ''}.</p> : null}
          <ErrorList errors={r.errors} title="Not saved — the file has these errors:" />
          {r.warnings.length ? (
            <div class="notice">
              <strong>Warnings</strong>
              <ul>
                {r.warnings.map((w) => (
                  <li>{w}</li>
                ))}
              </ul>
            </div>
          ) : null}
          {r.diff ? <DiffView diff={r.diff} from="current file" to="your text" /> : null}
        </>
      )}
    </div>
  );
}

export function RawPage(p: PropsOf<'RawPage'>): Child {
  const { ctx } = p;
  return (
    <Page ctx={ctx} title="Site file">
      <h1>Site file (JSON)</h1>
      <p class="muted">
        The whole site file, including password hashes. Saving validates it first and refuses new errors; the previous version is kept as the .bak file.
      </p>
      <form method="post" action="/config/raw" class="stack" id="raw-form" novalidate>
        <Csrf token={ctx.csrf} />
        <input type="hidden" name="version" value={p.version} />
        <div class="field">
          <label for="raw-text">Site file</label>
          <textarea id="raw-text" name="text" class="raw" spellcheck={false} autocomplete="off">
            {p.text}
          </textarea>
        </div>
        <div class="toolbar">
          <button type="submit" formaction="/config/raw/check" hx-post="/config/raw/check" hx-target="#raw-result" hx-swap="outerHTML">
            Validate and show changes
          </button>
          <button type="submit" class="primary">
            Save
          </button>
          {p.hasBak ? (
            <a class="btn" href="/config/raw/rollback">
              Roll back to the previous version…
            </a>
          ) : null}
        </div>
      </form>
      <RawResultView r={p.result} />
    </Page>
  );
}
