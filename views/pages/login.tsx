/** The login page (spec §8.2). */
import type { Child } from 'hono/jsx';
import type { Assets } from '../../src/web/view-data.ts';
import { BarePage } from '../layout.tsx';

export function LoginPage(p: { site: string; assets: Assets; token: string; next: string; user?: string; error?: string; noUsers?: boolean }): Child {
  return (
    <BarePage site={p.site} title="Sign in" assets={p.assets}>
      <section class="card">
        <h1>Sign in</h1>
        {p.error ? <p class="errors" role="alert">{p.error}</p> : null}
        {p.noUsers ? <p class="notice">No users are configured: add <code>webui.users</code> to the site file (siteward --init makes an admin user).</p> : null}
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
          <div class="toolbar"><button type="submit" class="primary">Sign in</button></div>
        </form>
      </section>
    </BarePage>
  );
}
