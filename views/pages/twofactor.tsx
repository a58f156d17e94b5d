/** Two-factor sign-in: the code step of the login, and the account's 2FA page. */
import type { Child } from 'hono/jsx';
import { BarePage, Page } from '../layout.tsx';
import { Csrf } from '../ui.tsx';
import type { PropsOf } from '../../src/web/view-data.ts';

export type { TwoFactorState } from '../../src/web/view-data.ts';

export function TotpLoginPage(p: PropsOf<'TotpLoginPage'>): Child {
  return (
    <BarePage site={p.site} title="Sign in: code" assets={p.assets}>
      <section class="card">
        <h1>Enter your code</h1>
        <p>
          Signing in as <strong>{p.user}</strong>. Open your authenticator app and enter the 6-digit code for this site, or one of your recovery codes.
        </p>
        {p.error ? (
          <p class="errors" role="alert">
            {p.error}
          </p>
        ) : null}
        <form method="post" action="/login/2fa" class="stack">
          <input type="hidden" name="_login" value={p.token} />
          <div class="field">
            <label for="code">Code</label>
            <input type="text" id="code" name="code" autocomplete="one-time-code" inputmode="numeric" maxlength={32} required autofocus />
          </div>
          <div class="toolbar">
            <button type="submit" class="primary">
              Continue
            </button>{' '}
            <a class="btn" href="/login">
              Start again
            </a>
          </div>
        </form>
      </section>
    </BarePage>
  );
}

function Codes(p: { codes: string[] }): Child {
  return (
    <div class="notice ok" role="status">
      <p>
        <strong>Your recovery codes.</strong> Each works once instead of a code from the app. Keep them somewhere safe: they are shown only now.
      </p>
      <ul class="codes">
        {p.codes.map((c) => (
          <li>
            <code>{c}</code>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function TwoFactorPage(p: PropsOf<'TwoFactorPage'>): Child {
  const { ctx, s } = p;
  return (
    <Page ctx={ctx} title="Two-factor sign-in">
      <h1>Two-factor sign-in</h1>
      {s.kind === 'off' ? (
        <>
          <p>
            Two-factor sign-in is <strong>off</strong>. With it on, signing in needs your password and a 6-digit code from an authenticator app (any app that
            reads a TOTP QR code).
          </p>
          <form method="post" action="/account/2fa/start" class="toolbar">
            <Csrf token={ctx.csrf} />
            <button type="submit" class="primary">
              Set up two-factor sign-in
            </button>
          </form>
        </>
      ) : s.kind === 'enrolling' ? (
        <>
          <p>Scan this QR code with your authenticator app, then enter the code it shows to turn two-factor sign-in on.</p>
          <p>
            <img class="qr" src="/account/2fa/qr.svg" alt="QR code to add this site to an authenticator app" width="240" height="240" />
          </p>
          <p>
            No camera? Enter this key in the app by hand: <code id="totp-secret">{s.secret}</code>
          </p>
          {s.error ? (
            <p class="errors" role="alert">
              {s.error}
            </p>
          ) : null}
          <form method="post" action="/account/2fa/confirm" class="stack">
            <Csrf token={ctx.csrf} />
            <div class="field">
              <label for="code">Code from the app</label>
              <input type="text" id="code" name="code" autocomplete="one-time-code" inputmode="numeric" maxlength={16} required />
            </div>
            <div class="toolbar">
              <button type="submit" class="primary">
                Turn on
              </button>
            </div>
          </form>
        </>
      ) : (
        <>
          <p>
            Two-factor sign-in is <strong>on</strong>. Recovery codes left: <strong>{s.left}</strong>.
          </p>
          {s.codes ? <Codes codes={s.codes} /> : null}
          {s.error ? (
            <p class="errors" role="alert">
              {s.error}
            </p>
          ) : null}
          <form method="post" action="/account/2fa/recovery" class="toolbar">
            <Csrf token={ctx.csrf} />
            <button type="submit">Make new recovery codes</button>
          </form>
          <h2>Turn off</h2>
          <form method="post" action="/account/2fa/disable" class="stack">
            <Csrf token={ctx.csrf} />
            <div class="field">
              <label for="off-code">Current code or a recovery code</label>
              <input type="text" id="off-code" name="code" autocomplete="one-time-code" maxlength={32} required />
            </div>
            <div class="toolbar">
              <button type="submit" class="danger">
                Turn off two-factor sign-in
              </button>
            </div>
          </form>
        </>
      )}
      <p>
        <a href="/account">Back to your account</a>
      </p>
    </Page>
  );
}
