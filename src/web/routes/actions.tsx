/**
 * Actions: list, editor (spec §8.5, fields from the action registry) and
 * "Test action" (spec §5.6).
 */
import { Hono } from 'hono';
import { actionType, actionTypes } from '../../actions/registry.ts';
import { testNotification } from '../../actions/test-notification.ts';
import { deleteAction, putAction, setActionChecks } from '../../config/edits.ts';
import { formatIssue, type Issue } from '../../config/issues.ts';
import { nameProblem } from '../../config/names.ts';
import { displayTime } from '../../util/time.ts';
import { authOf, need, type WebContext, type WebEnv } from '../context.ts';
import type { WebDeps } from '../deps.ts';
import { fieldsOf, fieldValues, forRole, formValues, listValue, readFields, type FormValues } from '../fields.ts';
import { allows } from '../auth.ts';
import { rawAction, versionOf } from '../model.ts';
import { actionHealth } from '../integrations.ts';
import { operatorEdit } from '../scope.ts';
import { AdminRequired } from '../../config/trust.ts';
import { formState, OPT } from '../check-form.ts';
import { html, pageCtx } from '../render.tsx';
import { notFound } from './checks.tsx';
import { actionUrl, type FormState } from '../view-data.ts';
import { plainHelp } from '../words.ts';
import { commonActionOptions } from '../../actions/shared/options.ts';
import { withSiteDefaults } from '../../actions/template.ts';
import { previewOf } from '../template-preview.ts';
import { isObject } from '../../util/guard.ts';
import type { ActionFormData } from '../view-data.ts';

type Obj = Record<string, unknown>;

class Conflict extends Error {}

/** Issues of an action edit as field errors (its options) and general messages. */
function optionErrors(issues: readonly Issue[], name: string): { errors: Record<string, string>; general: string[] } {
  const errors: Record<string, string> = {};
  const general: string[] = [];
  for (const i of issues) {
    if (i.path[0] === 'actions' && i.path[1] === name && i.path[2] === 'options' && i.path[3] !== undefined) errors[`${OPT}${String(i.path[3])}`] ??= i.message;
    else general.push(formatIssue(i));
  }
  return { errors, general };
}

export function actionsRoutes(d: WebDeps): Hono<WebEnv> {
  const { ActionFields, ActionPage, ActionsPage, ConfirmPage, TemplatePreview } = d.pages;
  const r = new Hono<WebEnv>();
  const { site } = d;

  const usedBy = (name: string): string[] => [...site.loaded.checks.values()].filter((e) => e.config.actions.includes(name)).map((e) => e.config.name);
  // the type's own options first, those every action has (`default`) last
  const common = Object.keys(commonActionOptions);
  const fieldsFor = (type: string) => {
    const t = actionType(type);
    const f = t ? fieldsOf(t.options) : [];
    return [...f.filter((x) => !common.includes(x.key)), ...f.filter((x) => common.includes(x.key))];
  };

  const formFrom = (name: string): FormState => {
    const raw = rawAction(site.loaded, name) ?? {};
    const type = String(raw.type ?? '');
    const opts = isObject(raw.options) ? raw.options : {};
    const values: FormState['values'] = { name, oldName: name, actionType: actionType(type)?.type ?? type, incheck: usedBy(name) };
    fieldValues(fieldsFor(type), opts, OPT, values);
    return { values, errors: {}, general: [] };
  };

  const page = async (
    c: WebContext,
    name: string | null,
    s: FormState,
    o: { conflict?: boolean; test?: { ok: boolean; message: string }; status?: 200 | 403 | 409 | 422 } = {},
  ) => {
    const type = String(s.values.actionType ?? actionTypes[0]?.type ?? '');
    const t = actionType(type);
    let deliveries = null;
    if (name !== null) {
      try {
        deliveries = site.notifier.deliveries({ action: name, limit: 20 });
      } catch {
        deliveries = null;
      }
    }
    const data: ActionFormData = {
      name,
      s,
      conflict: o.conflict ?? false,
      test: o.test,
      version: name === null ? '' : versionOf(rawAction(site.loaded, name)),
      types: actionTypes.map((x) => [x.type, `${x.type} — ${plainHelp(x.info.summary)}`]),
      fields: { type, summary: t?.info.summary ?? '', fields: forRole(fieldsFor(type), allows(authOf(c).role, 'admin')), s },
      checkNames: [...site.loaded.checks.keys()],
      deliveries,
      zoneTime: (x) => displayTime(x, site.settings.timezone),
      health: name === null ? null : actionHealth(site, name),
    };
    return html(c, <ActionPage ctx={pageCtx(c, d, null)} d={data} />, o.status ?? 200);
  };

  const read = (form: FormValues, oldName: string | undefined) => {
    const errors: Record<string, string> = {};
    const typed = form.get('name') ?? '';
    const name = typed === oldName ? typed : typed.trim();
    const badName = name === oldName ? null : nameProblem(name);
    if (badName) errors.name = badName;
    else if (name !== oldName && site.loaded.actions.has(name)) errors.name = `an action named "${name}" already exists`;
    const type = form.get('actionType') ?? '';
    const t = actionType(type);
    if (!t) errors.actionType = `unknown action type "${type}"`;
    const old = oldName !== undefined ? rawAction(site.loaded, oldName) : undefined;
    const oldOpts = old && isObject(old.options) && old.type === type ? old.options : {};
    let options: Obj = {};
    if (t) {
      const fields = fieldsOf(t.options);
      const rf = readFields(fields, form, OPT, oldOpts);
      for (const [k, v] of Object.entries(rf.errors)) errors[`${OPT}${k}`] = v;
      const known = new Set(fields.map((f) => f.key));
      for (const [k, v] of Object.entries(oldOpts)) if (!known.has(k)) options[k] = v;
      options = { ...options, ...rf.values };
      const check = t.options.safeParse(options);
      if (!check.success) for (const i of check.error.issues) errors[`${OPT}${String(i.path[0] ?? '')}`] ??= i.message;
    }
    const incheck = listValue(form, 'incheck');
    const bad = incheck.filter((n) => !site.entry(n));
    if (bad.length) errors.incheck = `unknown check${bad.length > 1 ? 's' : ''}: ${bad.join(', ')}`;
    const { options: _o, ...rest } = old ?? {};
    return { name, raw: { ...rest, type: t?.type ?? type, options }, incheck, errors };
  };

  const save = async (c: WebContext, oldName: string | undefined): Promise<Response> => {
    const form = formValues(await c.req.parseBody({ all: true }));
    const version = form.get('version') ?? '';
    const res = read(form, oldName);
    // secrets are never sent to the browser; re-rendering keeps what the page says is stored
    const markers = oldName === undefined ? {} : Object.fromEntries(Object.entries(formFrom(oldName).values).filter(([k]) => k.endsWith('.stored')));
    const again = (errors: Record<string, string>, general: string[], conflict = false, status?: 403) =>
      page(c, oldName ?? null, formState(form, errors, general, markers), { conflict, status: status ?? (conflict ? 409 : 422) });
    if (Object.keys(res.errors).length) return again(res.errors, []);
    let mut;
    try {
      mut = await site.mutate(
        operatorEdit(
          authOf(c).role,
          (doc) => {
            if (oldName !== undefined && versionOf(rawAction(site.loaded, oldName)) !== version) throw new Conflict();
            if (res.name !== oldName && rawAction(site.loaded, res.name)) throw new Conflict();
            return setActionChecks(putAction(doc, res.name, res.raw, oldName), res.name, res.incheck);
          },
          { actions: oldName !== undefined && res.name !== oldName ? [[oldName, res.name]] : [] },
        ),
      );
    } catch (e) {
      if (e instanceof Conflict) return again({}, [], true);
      if (e instanceof AdminRequired) {
        const m = optionErrors(e.issues, res.name);
        return again(m.errors, m.general, false, 403);
      }
      throw e;
    }
    if (!mut.ok) {
      const m = optionErrors(mut.issues, res.name);
      return again(m.errors, m.general);
    }
    site.warn(`${oldName === undefined ? 'Added' : 'Updated'} action ${res.name} by ${authOf(c).user}`);
    return c.redirect(actionUrl(res.name), 303);
  };

  r.get('/actions', need('viewer'), async (c) => {
    const rows = [...site.loaded.actions.values()].map((a) => ({
      name: a.config.name,
      type: a.config.type,
      used: usedBy(a.config.name).length,
      active: a.active,
      health: actionHealth(site, a.config.name),
      errors: site.loaded.issues.filter((i) => i.path[0] === 'actions' && i.path[1] === a.config.name).map(formatIssue),
    }));
    const flash = c.req.query('deleted') ? `Deleted action "${c.req.query('deleted')}".` : undefined;
    return html(c, <ActionsPage ctx={pageCtx(c, d, { kind: 'page' })} rows={rows} flash={flash} />);
  });

  const newForm = (c: WebContext) => {
    const type = actionType(c.req.query('type') ?? '')?.type ?? actionTypes[0]?.type ?? '';
    return page(c, null, { values: { actionType: type }, errors: {}, general: [] });
  };
  r.get('/action', need('operator'), newForm);
  r.get('/action/', need('operator'), newForm);
  r.post('/action', need('operator'), (c) => save(c, undefined));
  r.post('/action/', need('operator'), (c) => save(c, undefined));

  r.get('/action/:name', need('viewer'), async (c) => {
    const name = c.req.param('name');
    if (!site.loaded.actions.has(name)) return notFound(c, d, `action named "${name}"`);
    const ctx = pageCtx(c, d, null);
    if (c.req.query('run') !== undefined && ctx.can.operate) {
      return html(
        c,
        <ConfirmPage
          ctx={ctx}
          title="Test action"
          question={`Send a test notification with "${name}"?`}
          action={actionUrl(name, '/test')}
          button="Send test"
          fields={{ back: 'edit' }}
          cancel={actionUrl(name)}
        />,
      );
    }
    if (c.req.query('delete') !== undefined && ctx.can.operate) return c.redirect(actionUrl(name, '/delete'), 302);
    return page(c, name, formFrom(name));
  });

  r.post('/action/:name', need('operator'), async (c) => {
    const name = c.req.param('name');
    if (!site.loaded.actions.has(name)) return notFound(c, d, `action named "${name}"`);
    return save(c, name);
  });

  r.post('/action/:name/test', need('operator'), async (c) => {
    const name = c.req.param('name');
    if (!site.loaded.actions.has(name)) return notFound(c, d, `action named "${name}"`);
    // the notifier's own test path (spec §5.6): sent at once, and recorded by the outbox like any delivery
    const res = await site.notifier.test(
      name,
      withSiteDefaults(testNotification(site.name, site.settings.timezone, site.clock.now()), site.settings.notifications),
    );
    const test = res.ok
      ? { ok: true, message: 'Test notification sent: the receiver accepted it.' }
      : { ok: false, message: `Test notification failed: ${res.error ?? 'unknown error'}` };
    site.warn(`Test of action ${name} by ${authOf(c).user}: ${res.ok ? 'ok' : `failed (${res.error ?? ''})`}`);
    return page(c, name, formFrom(name), { test });
  });

  r.get('/action/:name/delete', need('operator'), async (c) => {
    const name = c.req.param('name');
    if (!site.loaded.actions.has(name)) return notFound(c, d, `action named "${name}"`);
    const used = usedBy(name).length;
    return html(
      c,
      <ConfirmPage
        ctx={pageCtx(c, d, null)}
        title="Delete action"
        question={`Delete the action "${name}"?${used ? ` It is removed from ${used} checks.` : ''}`}
        action={actionUrl(name, '/delete')}
        button="Delete"
        danger
        cancel={actionUrl(name)}
      />,
    );
  });

  r.post('/action/:name/delete', need('operator'), async (c) => {
    const name = c.req.param('name');
    if (!site.loaded.actions.has(name)) return notFound(c, d, `action named "${name}"`);
    const form = formValues(await c.req.parseBody({ all: true }));
    if (form.get('confirm') !== 'yes') return c.redirect(actionUrl(name, '/delete'), 303);
    const res = await site.mutate(operatorEdit(authOf(c).role, (doc) => deleteAction(doc, name)));
    if (!res.ok) return page(c, name, { ...formFrom(name), general: res.issues.map(formatIssue) }, { status: 422 });
    site.warn(`Deleted action ${name} by ${authOf(c).user}`);
    return c.redirect(`/actions?deleted=${encodeURIComponent(name)}`, 303);
  });

  // the editor's "Preview message": the form's template rendered for a sample failing check, as the channel would send it
  r.post('/ui/action-preview', need('operator'), async (c) => {
    const form = formValues(await c.req.parseBody({ all: true }));
    const res = read(form, form.get('oldName'));
    return html(c, <TemplatePreview d={previewOf(res.raw.type, res.raw.options, res.errors[`${OPT}template`], site)} />);
  });

  r.get('/ui/action-fields', need('operator'), async (c) => {
    const type = c.req.query('actionType') ?? '';
    const oldName = c.req.query('oldName');
    const s: FormState =
      oldName && rawAction(site.loaded, oldName)?.type === type ? formFrom(oldName) : { values: { actionType: type }, errors: {}, general: [] };
    return html(
      c,
      <ActionFields type={type} summary={actionType(type)?.info.summary ?? ''} fields={forRole(fieldsFor(type), allows(authOf(c).role, 'admin'))} s={s} />,
    );
  });

  return r;
}
