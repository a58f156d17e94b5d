/** Users (admin only, spec §8.5, with roles) and the account page (own password). */
import type { Child } from 'hono/jsx';
import type { PropsOf } from '../../src/web/view-data.ts';
import { Page } from '../layout.tsx';
import { Csrf, ErrorList, Icon, userUrl } from '../ui.tsx';
import { SelectField, TextField } from '../partials/fields.tsx';

export type { PasswordMode } from '../../src/web/view-data.ts';

export function UsersPage(p: PropsOf<'UsersPage'>): Child {
  const { ctx } = p;
  return (
    <Page ctx={ctx} title="Users">
      <h1>Users</h1>
      <p class="muted">admin: everything; operator: run, pause and edit checks and actions; viewer: read only.</p>
      {p.flash ? (
        <div class="notice" role="status">
          {p.flash}
        </div>
      ) : null}
      <div class="toolbar">
        <a class="btn primary" href="/user">
          <Icon name="plus" assets={ctx.assets} /> Add user
        </a>
      </div>
      <table class="rows">
        <thead>
          <tr>
            <th>User</th>
            <th>Role</th>
            <th>Two-factor</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {p.users.map((u) => (
            <tr>
              <td data-label="User">
                <a href={userUrl(u.name)}>{u.name}</a>
              </td>
              <td data-label="Role">{u.role}</td>
              <td data-label="Two-factor">
                {u.twofactor ? (
                  <>
                    on{' '}
                    <a class="btn" href={userUrl(u.name, '/2fa-reset')}>
                      Reset<span class="sr-only"> two-factor sign-in of {u.name}</span>
                    </a>
                  </>
                ) : (
                  'off'
                )}
              </td>
              <td data-label="Actions" class="acts">
                <a class="btn" href={userUrl(u.name)}>
                  <Icon name="edit" assets={ctx.assets} />
                  <span class="sr-only">Edit {u.name}</span>
                </a>
                <a class="btn danger" href={userUrl(u.name, '/delete')}>
                  <Icon name="delete" assets={ctx.assets} />
                  <span class="sr-only">Delete {u.name}</span>
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Page>
  );
}

export function UserPage(p: PropsOf<'UserPage'>): Child {
  const { ctx, s } = p;
  return (
    <Page ctx={ctx} title={p.name === null ? 'Add user' : `User ${p.name}`}>
      <h1>{p.name === null ? 'Add user' : p.name}</h1>
      <form method="post" action={p.name === null ? '/user' : userUrl(p.name)} class="stack" novalidate>
        <Csrf token={ctx.csrf} />
        {p.name !== null ? <input type="hidden" name="oldName" value={p.name} /> : null}
        <input type="hidden" name="version" value={p.version} />
        {p.conflict ? (
          <div class="errors" role="alert">
            <strong>This user was changed by someone else since you opened it.</strong> Nothing was saved; reload and try again.
          </div>
        ) : null}
        <ErrorList errors={s.general} />
        <TextField
          name="username"
          label="User name"
          s={s}
          required
          extra={p.renameable ? {} : { readonly: '' }}
          help={p.renameable ? undefined : 'the admin user cannot be renamed'}
        />
        <SelectField
          name="role"
          label="Role"
          s={s}
          choices={[
            ['admin', 'admin — everything'],
            ['operator', 'operator — run and edit checks and actions'],
            ['viewer', 'viewer — read only'],
          ]}
        />
        <TextField
          name="password"
          label={p.name === null ? 'Password' : 'New password'}
          s={s}
          autocomplete="new-password"
          help={
            p.name === null
              ? `at least 8 characters${p.suggested ? `; suggested: ${p.suggested}` : ''}`
              : 'leave empty to keep the current password; a change signs the user out everywhere'
          }
        />
        <div class="toolbar">
          <button type="submit" class="primary">
            {p.name === null ? 'Add user' : 'Save'}
          </button>
        </div>
      </form>
    </Page>
  );
}

export function AccountPage(p: PropsOf<'AccountPage'>): Child {
  const mode = p.password ?? 'change';
  const { ctx, s } = p;
  return (
    <Page ctx={ctx} title="Account">
      <h1>{ctx.user}</h1>
      <p>
        Role: <strong>{ctx.role}</strong>
      </p>
      {p.done ? (
        <div class="notice ok" role="status">
          Password changed. Your other sessions were signed out.
        </div>
      ) : null}
      {mode === 'none' ? (
        <>
          <h2>Password</h2>
          <ErrorList errors={s.general} />
          <p id="sso-only">You sign in with {p.sso ?? 'single sign-on'}; siteward keeps no password for you.</p>
        </>
      ) : (
        <>
          <h2>{mode === 'set' ? 'Set a password' : 'Change password'}</h2>
          {mode === 'set' ? <p class="muted">You sign in with {p.sso ?? 'single sign-on'}. A password lets you sign in without it too.</p> : null}
          <form method="post" action="/account/password" class="stack" novalidate>
            <Csrf token={ctx.csrf} />
            <ErrorList errors={s.general} />
            {mode === 'change' ? <TextField name="current" label="Current password" s={s} type="password" autocomplete="current-password" required /> : null}
            <TextField name="password" label="New password" s={s} type="password" autocomplete="new-password" required help="at least 8 characters" />
            <TextField name="repeat" label="New password again" s={s} type="password" autocomplete="new-password" required />
            <div class="toolbar">
              <button type="submit" class="primary">
                {mode === 'set' ? 'Set password' : 'Change password'}
              </button>
            </div>
          </form>
        </>
      )}
      {
        mode === 'change' ? (
          <>
            <h2>Two-factor sign-in</h2>
            <p>
              <a class="btn" href="/account/2fa">
                Manage two-factor sign-in
              </a>
            </p>
          </>
        ) : null /* single sign-on: the provider asks for second factors (docs/security.md) */
      }
      <h2>Sign out</h2>
      <form method="post" action="/logout" class="toolbar">
        <Csrf token={ctx.csrf} />
        <button type="submit">Sign out</button>
        <button type="submit" name="everywhere" value="1">
          Sign out everywhere
        </button>
      </form>
    </Page>
  );
}
