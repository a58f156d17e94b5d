/** Small pages: confirmation of a state change, a message, the site log. */
import type { Child } from 'hono/jsx';
import type { PropsOf } from '../../src/web/view-data.ts';
import { Page } from '../layout.tsx';
import { Csrf } from '../ui.tsx';
import { SiteLog } from '../partials/site-log.tsx';

/**
 * "Are you sure?" for anything destructive, and the landing page of
 * fletchck's old state-changing GET links (`?delete=y`, `?run=y`, `/clone/x`,
 * `/move/x`): they now show this form instead of acting (spec §9.9).
 */
export function ConfirmPage(p: PropsOf<'ConfirmPage'>): Child {
  return (
    <Page ctx={p.ctx} title={p.title}>
      <h1>{p.title}</h1>
      <section class="card">
        <p>{p.question}</p>
        {p.detail}
        <form method="post" action={p.action} class="toolbar">
          <Csrf token={p.ctx.csrf} />
          <input type="hidden" name="confirm" value="yes" />
          {Object.entries(p.fields ?? {}).map(([k, v]) => (
            <input type="hidden" name={k} value={v} />
          ))}
          <button type="submit" class={p.danger ? 'danger' : 'primary'} autofocus>
            {p.button}
          </button>
          <a class="btn" href={p.cancel}>
            Cancel
          </a>
        </form>
      </section>
    </Page>
  );
}

export function MessagePage(p: PropsOf<'MessagePage'>): Child {
  return (
    <Page ctx={p.ctx} title={p.title}>
      <h1>{p.title}</h1>
      <section class={p.error ? 'card errors' : 'card'} role={p.error ? 'alert' : 'status'}>
        <p>{p.message}</p>
        {p.back ? (
          <p>
            <a href={p.back}>Back</a>
          </p>
        ) : null}
      </section>
    </Page>
  );
}

export function LogPage(p: PropsOf<'LogPage'>): Child {
  return (
    <Page ctx={p.ctx} title="Log">
      <h1>Log</h1>
      <p class="muted">Warnings and state changes since the log was last cleared (newest last; the oldest are dropped past 120 lines).</p>
      {p.ctx.can.operate ? (
        <form method="post" action="/log/clear" class="toolbar">
          <Csrf token={p.ctx.csrf} />
          <button type="submit" class="danger">
            Clear log
          </button>
        </form>
      ) : null}
      <SiteLog lines={p.lines} />
    </Page>
  );
}
