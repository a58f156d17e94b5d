/** The login page (spec §8.2). */
import type { Child } from 'hono/jsx';
import type { PropsOf } from '../../src/web/view-data.ts';
import { BarePage } from '../layout.tsx';

export function LoginPage(p: PropsOf<'LoginPage'>): Child {
  return (
    <BarePage site={p.site} title="Sign in" assets={p.assets}>
      <section class="card">
        <h1>Sign in</h1>
        {p.error ? (
          <p class="errors" role="alert">
            {p.error}
          </p>
        ) : null}
        {p.noUsers ? (
          <p class="notice">
            No users are configured: add <code>webui.users</code> to the site file (siteward --init makes an admin user).
          </p>
        ) : null}
        {p.passwords === false ? null : (
          <form method="post" action="/login" class="stack">
            <input type="hidden" name="_login" value={p.token} />
            <input type="hidden" name="next" value={p.next} />
            <div class="field">
              <label for="username">User name</label>
              <input type="text" id="username" name="username" value={p.user ?? ''} autocomplete="username" required autofocus />
            </div>
            <div class="field">
              <label for="password">Password</label>
              <input type="password" id="password" name="password" autocomplete="current-password" required />
            </div>
            <div class="toolbar">
              <button type="submit" class="primary">
                Sign in
              </button>
            </div>
          </form>
        )}
        {p.sso ? (
          <form method="post" action="/login/oidc" class="toolbar sso">
            <input type="hidden" name="_login" value={p.token} />
            <input type="hidden" name="next" value={p.next} />
            <button type="submit">Sign in with {p.sso}</button>
          </form>
        ) : null}
      </section>
    </BarePage>
  );
}

/**
 * A page that continues to `next` at once (meta refresh, no script): after
 * single sign-on (so the new SameSite=Strict cookie is sent), and on the way
 * to the identity provider (a form's redirect to another origin would break
 * the CSP's form-action 'self').
 */
export function ContinuePage(p: PropsOf<'ContinuePage'>): Child {
  return (
    <BarePage site={p.site} title={p.title} assets={p.assets}>
      <meta http-equiv="refresh" content={`0;url=${p.next}`} />
      <section class="card">
        <h1>{p.title}</h1>
        <p>
          <a href={p.next} class="btn primary" id="continue">
            {p.text}
          </a>
        </p>
      </section>
    </BarePage>
  );
}
