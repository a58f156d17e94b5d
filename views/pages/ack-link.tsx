/**
 * The page a one-click acknowledgement link opens (issue 19, src/ops/ack-link.ts):
 * it asks before acting (no state-changing GET) and says plainly when the
 * link is expired, altered or about a failure that is over. No sign-in:
 * the signed link is the credential.
 */
import type { Child } from 'hono/jsx';
import type { PropsOf } from '../../src/web/view-data.ts';
import { BarePage } from '../layout.tsx';

export function AckLinkPage(p: PropsOf<'AckLinkPage'>): Child {
  return (
    <BarePage site={p.site} title={p.title} assets={p.assets}>
      <section class={p.error ? 'card errors' : 'card'} role={p.error ? 'alert' : 'status'}>
        <h1>{p.title}</h1>
        <p>{p.message}</p>
        {p.action ? (
          <form method="post" action={p.action} class="toolbar">
            <button type="submit" class="primary" autofocus>
              Acknowledge
            </button>
          </form>
        ) : null}
        {p.check ? (
          <p>
            <a href={p.check}>Open the check in siteward</a> (sign-in needed)
          </p>
        ) : null}
      </section>
    </BarePage>
  );
}
