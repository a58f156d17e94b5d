/**
 * User management (admin only, spec §8.5) with roles. A password change or
 * removal ends the user's sessions at once.
 */
import { Hono } from 'hono';
import { hashPassword, randomPassword } from '../../config/init.ts';
import { formatIssue } from '../../config/issues.ts';
import { ADMIN_USER, ROLES, roleOf, userHash, type Role } from '../auth.ts';
import { authOf, need, type WebContext, type WebEnv } from '../context.ts';
import type { WebDeps } from '../deps.ts';
import { formValues } from '../fields.ts';
import { formState } from '../check-form.ts';
import { versionOf } from '../model.ts';
import { deleteUser, putUser, userEditProblem, userNames } from '../users.ts';
import { html, pageCtx } from '../render.tsx';
import { notFound } from './checks.tsx';
import { dummyHash, logName, MIN_PASSWORD } from './auth.tsx';
import { type FormState, userUrl } from '../view-data.ts';

class Conflict extends Error {}

export function usersRoutes(d: WebDeps): Hono<WebEnv> {
  const { UserPage, UsersPage, ConfirmPage } = d.pages;
  const r = new Hono<WebEnv>();
  const { site } = d;
  const webui = () => site.settings.webui;
  const exists = (name: string): boolean => name !== '' && userHash(webui(), name) !== undefined;
  const version = (name: string | null): string => (name === null ? '' : versionOf({ hash: userHash(webui(), name), role: roleOf(webui(), name) }));

  const form = (c: WebContext, name: string | null, s: FormState, o: { status?: 200 | 409 | 422; conflict?: boolean } = {}) =>
    html(
      c,
      <UserPage
        ctx={pageCtx(c, d, null)}
        name={name}
        s={s}
        version={version(name)}
        renameable={name !== ADMIN_USER}
        suggested={name === null ? randomPassword() : undefined}
        conflict={o.conflict}
      />,
      o.status ?? 200,
    );

  r.get('/users', need('admin'), async (c) => {
    const users = userNames(webui()).map((u) => ({ name: u, role: roleOf(webui(), u), twofactor: d.twofactor.store.enabled(u) }));
    const flash = c.req.query('deleted')
      ? `Deleted user "${c.req.query('deleted')}".`
      : c.req.query('saved')
        ? `Saved user "${c.req.query('saved')}".`
        : undefined;
    return html(c, <UsersPage ctx={pageCtx(c, d, { kind: 'page' })} users={users} flash={flash} />);
  });

  const newForm = (c: WebContext) => form(c, null, { values: { role: 'operator' }, errors: {}, general: [] });
  r.get('/user', need('admin'), newForm);
  r.get('/user/', need('admin'), newForm);

  r.get('/user/:name', need('admin'), async (c) => {
    const name = c.req.param('name');
    if (!exists(name)) return notFound(c, d, `user named "${name}"`);
    if (c.req.query('delete') !== undefined) return c.redirect(userUrl(name, '/delete'), 302);
    return form(c, name, { values: { username: name, role: roleOf(webui(), name) }, errors: {}, general: [] });
  });

  const save = async (c: WebContext, oldName: string | undefined): Promise<Response> => {
    const f = formValues(await c.req.parseBody({ all: true }));
    const errors: Record<string, string> = {};
    const name = oldName === ADMIN_USER ? ADMIN_USER : (f.get('username') ?? '').trim();
    const role = (ROLES as readonly string[]).includes(f.get('role') ?? '') ? (f.get('role') as Role) : null;
    const password = f.get('password') ?? '';
    if (!role) errors.role = 'choose admin, operator or viewer';
    if (!name) errors.username = 'is required';
    if (password === '' && oldName === undefined) errors.password = 'a new user needs a password';
    else if (password !== '' && password.length < MIN_PASSWORD) errors.password = `needs at least ${MIN_PASSWORD} characters`;
    const edit = { name, oldName, role: role ?? 'viewer' };
    const problem = Object.keys(errors).length ? null : userEditProblem(webui(), edit);
    if (problem) errors[problem.includes('name') ? 'username' : 'role'] = problem;
    if (Object.keys(errors).length) return form(c, oldName ?? null, formState(f, errors), { status: 422 });
    const hash = password ? await hashPassword(password) : undefined;
    const dummy = await dummyHash(webui());
    let res;
    try {
      res = await site.mutate((doc) => {
        if (oldName !== undefined && version(oldName) !== (f.get('version') ?? '')) throw new Conflict();
        if (oldName === undefined && exists(name)) throw new Conflict();
        return putUser(doc, { ...edit, hash }, dummy);
      });
    } catch (e) {
      if (e instanceof Conflict) return form(c, oldName ?? null, formState(f, {}), { status: 409, conflict: true });
      throw e;
    }
    if (!res.ok) return form(c, oldName ?? null, formState(f, {}, res.issues.map(formatIssue)), { status: 422 });
    if (oldName !== undefined && oldName !== name) {
      d.sessions.renameUser(oldName, name);
      d.twofactor.store.rename(oldName, name);
    }
    if (oldName === undefined) d.twofactor.store.reset(name); // a new user never inherits an old second factor
    if (hash) {
      // a new password ends the user's sessions (except the admin's own, re-bound)
      const me = authOf(c);
      d.sessions.endUser(name, me.user === name ? me.session.id : undefined);
      if (me.user === name) d.sessions.rebind(me.session.id, hash);
    }
    site.warn(`${oldName === undefined ? 'Added' : 'Updated'} user ${logName(name)} (${edit.role}) by ${authOf(c).user}`);
    return c.redirect(`/users?saved=${encodeURIComponent(name)}`, 303);
  };

  r.post('/user', need('admin'), (c) => save(c, undefined));
  r.post('/user/', need('admin'), (c) => save(c, undefined));
  r.post('/user/:name', need('admin'), async (c) => {
    const name = c.req.param('name');
    if (!exists(name)) return notFound(c, d, `user named "${name}"`);
    return save(c, name);
  });

  r.get('/user/:name/delete', need('admin'), async (c) => {
    const name = c.req.param('name');
    if (!exists(name)) return notFound(c, d, `user named "${name}"`);
    const problem = userEditProblem(webui(), { delete: name });
    if (problem) return form(c, name, { values: { username: name, role: roleOf(webui(), name) }, errors: {}, general: [problem] }, { status: 422 });
    return html(
      c,
      <ConfirmPage
        ctx={pageCtx(c, d, null)}
        title="Delete user"
        question={`Delete the user "${name}"? They are signed out at once.`}
        action={userUrl(name, '/delete')}
        button="Delete"
        danger
        cancel="/users"
      />,
    );
  });

  r.post('/user/:name/delete', need('admin'), async (c) => {
    const name = c.req.param('name');
    if (!exists(name)) return notFound(c, d, `user named "${name}"`);
    const f = formValues(await c.req.parseBody({ all: true }));
    if (f.get('confirm') !== 'yes') return c.redirect(userUrl(name, '/delete'), 303);
    const problem = userEditProblem(webui(), { delete: name });
    if (problem) return form(c, name, { values: { username: name, role: roleOf(webui(), name) }, errors: {}, general: [problem] }, { status: 422 });
    const res = await site.mutate((doc) => deleteUser(doc, name));
    if (!res.ok) return form(c, name, { values: { username: name }, errors: {}, general: res.issues.map(formatIssue) }, { status: 422 });
    d.sessions.endUser(name);
    d.twofactor.store.reset(name);
    site.warn(`Deleted user ${logName(name)} by ${authOf(c).user}`);
    return c.redirect(`/users?deleted=${encodeURIComponent(name)}`, 303);
  });

  return r;
}
