/**
 * A check's page and its form: view, create, edit (spec §8.4), with the
 * type's fields swapped in by htmx, the trigger parsed as you type, per-field
 * errors, and a version check so two tabs cannot silently overwrite each
 * other.
 */
import { Hono } from 'hono';
import { checkType } from '../../checks/registry.ts';
import { putCheck } from '../../config/edits.ts';
import { authOf, isHtmx, need, type WebContext, type WebEnv } from '../context.ts';
import type { WebDeps } from '../deps.ts';
import { forRole, formValues } from '../fields.ts';
import { allows } from '../auth.ts';
import {
  describeTriggerText,
  formFromCheck,
  NEW_CHECK_TYPE,
  formForType,
  formState,
  issuesToForm,
  newCheckForm,
  readCheckForm,
  typeChoices,
  typeFields,
} from '../check-form.ts';
import { checkVM, grouping, rawCheck, versionOf } from '../model.ts';
import { setMembership } from '../ordering.ts';
import { badgeVM, pushVM, remoteVM } from '../integrations.ts';
import { AdminOnly, operatorEdit } from '../scope.ts';
import { AdminRequired } from '../../config/trust.ts';
import { redactEntry } from '../../config/redact.ts';
import { checkDeliveries, historyProps, html, pageCtx } from '../render.tsx';
import { plainHelp } from '../words.ts';
import { decisionVMs } from '../ops-vm.ts';
import { checkIncidents } from '../incidents-read.ts';
import { certVM } from '../certs.ts';
import { notFound } from './checks.tsx';
import { checkUrl, type FormState, many, one } from '../view-data.ts';
import type { CheckFormData, TypeFieldsData } from '../view-data.ts';

class Conflict extends Error {}

export function checkRoutes(d: WebDeps): Hono<WebEnv> {
  const { CheckPage, NewCheckPage, TriggerParse, TypeFields, ConfirmPage } = d.pages;
  const r = new Hono<WebEnv>();
  const { site } = d;

  /** `c`: the fields as the signed-in user may use them (src/web/fields.ts forRole) */
  const typeData = (c: WebContext, type: string): TypeFieldsData => {
    const t = checkType(type);
    const info = t ? { ...t.info, summary: plainHelp(t.info.summary), pass: plainHelp(t.info.pass) } : null;
    return { type, info, retries: t ? t.retries !== false : false, fields: t ? forRole(typeFields(t), allows(authOf(c).role, 'admin')) : [] };
  };

  const formData = (c: WebContext, name: string | null, s: FormState, conflict = false): CheckFormData => {
    const names = [...site.loaded.checks.keys()].filter((n) => n !== name);
    return {
      name,
      version: name === null ? '' : versionOf(rawCheck(site.loaded, name)),
      s,
      types: typeChoices(),
      type: typeData(c, one(s, 'checkType')),
      trigger: describeTriggerText(site, one(s, 'trigger'), many(s, 'inseq').length > 0),
      checkNames: names,
      actionNames: [...site.loaded.actions.keys()],
      seqNames: grouping(site).seqs.filter((n) => n !== name),
      mqtt: site.settings.mqtt !== null,
      conflict,
    };
  };

  const detail = async (c: WebContext, name: string, form?: { s: FormState; conflict: boolean }, status: 200 | 403 | 409 | 422 = 200): Promise<Response> => {
    const vm = checkVM(site, name)!;
    const ctx = pageCtx(c, d, { kind: 'check', name });
    const raw = rawCheck(site.loaded, name) ?? {};
    const { data: _data, ...config } = raw;
    const origin = new URL(c.req.url).origin;
    const entry = site.entry(name);
    const seen = d.certs.get(name);
    const expiryDays = typeof entry?.opts?.expiryDays === 'number' ? entry.opts.expiryDays : 7;
    return html(
      c,
      <CheckPage
        ctx={ctx}
        d={{
          vm,
          inseqs: grouping(site).inseqs.get(name) ?? [],
          history: historyProps(site, vm, await checkDeliveries(site, name)),
          form: ctx.can.operate ? formData(c, name, form?.s ?? formFromCheck(site, name), form?.conflict) : null,
          // a viewer's view: secrets described, never shown (the one redaction, src/config/redact.ts)
          config: JSON.stringify(redactEntry('check', config), null, 1),
          flash: c.req.query('saved') === '1' ? 'Saved.' : undefined,
          extras: { push: pushVM(site, name, origin), badges: badgeVM(site, name, origin), remote: remoteVM(site, name, d.federation) },
          decisions: decisionVMs(site, name),
          incidents: checkIncidents(site, name, Number(c.req.query('incidents') ?? 1)),
          cert: seen ? certVM(seen, site.clock.now(), entry?.zone ?? null, expiryDays) : null,
        }}
      />,
      status,
    );
  };

  /** Secrets are never sent to the browser; re-rendering keeps the "a value is stored" hint. */
  const storedMarkers = (name: string | null): FormState['values'] => {
    if (name === null) return {};
    return Object.fromEntries(Object.entries(formFromCheck(site, name).values).filter(([k]) => k.endsWith('.stored')));
  };

  const save = async (c: WebContext, oldName: string | undefined): Promise<Response> => {
    const form = formValues(await c.req.parseBody({ all: true }));
    const version = form.get('version') ?? '';
    const res = readCheckForm(site, form, oldName);
    const rerender = (errors: Record<string, string>, general: string[], conflict = false, status?: 403): Promise<Response> => {
      const s = formState(res.form, errors, general, storedMarkers(oldName ?? null));
      const code = status ?? (conflict ? 409 : 422);
      if (oldName !== undefined) return detail(c, oldName, { s, conflict }, code);
      return html(c, <NewCheckPage ctx={pageCtx(c, d, null)} d={formData(c, null, s, conflict)} />, code);
    };
    if (Object.keys(res.errors).length) return rerender(res.errors, []);
    let mut;
    try {
      const renamed: [string, string][] = oldName !== undefined && res.name !== oldName ? [[oldName, res.name]] : [];
      mut = await site.mutate(
        operatorEdit(
          authOf(c).role,
          (doc) => {
            const current = oldName === undefined ? undefined : rawCheck(site.loaded, oldName);
            if (oldName !== undefined && versionOf(current) !== version) throw new Conflict();
            if (res.name !== oldName && rawCheck(site.loaded, res.name)) throw new Conflict();
            const next = putCheck(doc, res.name, res.raw, oldName);
            return setMembership(next, res.name, res.inseq, grouping(site).seqs);
          },
          { checks: renamed },
        ),
        { renamed },
      );
    } catch (e) {
      if (e instanceof AdminOnly) return c.text(e.message, 403);
      if (e instanceof AdminRequired) {
        const m = issuesToForm(e.issues, res.name);
        return rerender(m.errors, m.general, false, 403);
      }
      if (e instanceof Conflict) {
        if (oldName !== undefined && !site.entry(oldName)) return notFound(c, d, `check named "${oldName}" any more (it was renamed or deleted)`);
        return rerender(oldName === undefined ? { name: `a check named "${res.name}" was just added by someone else` } : {}, [], oldName !== undefined);
      }
      throw e;
    }
    if (!mut.ok) {
      const m = issuesToForm(mut.issues, res.name);
      return rerender(m.errors, m.general);
    }
    const verb = oldName === undefined ? 'Added' : res.name !== oldName ? `Renamed ${oldName} to` : 'Updated';
    site.warn(`${verb} check ${res.name} by ${authOf(c).user}`);
    return c.redirect(checkUrl(res.name, '?saved=1'), 303);
  };

  const newForm = async (c: WebContext): Promise<Response> => {
    const type = checkType(c.req.query('type') ?? '') ? c.req.query('type')! : NEW_CHECK_TYPE;
    return html(c, <NewCheckPage ctx={pageCtx(c, d, null)} d={formData(c, null, newCheckForm(type, site))} />);
  };
  r.get('/check', need('operator'), newForm);
  r.get('/check/', need('operator'), newForm);
  r.post('/check', need('operator'), (c) => save(c, undefined));
  r.post('/check/', need('operator'), (c) => save(c, undefined));

  r.get('/check/:name', need('viewer'), async (c) => {
    const name = c.req.param('name');
    if (!site.entry(name)) return notFound(c, d, `check named "${name}"`);
    const ctx = pageCtx(c, d, null);
    // fletchck's `?run=y|list|home` and `?delete=y` acted on GET; now they ask first
    const run = c.req.query('run');
    if (run !== undefined && ctx.can.operate) {
      const back = run === 'list' ? '/checks' : run === 'home' ? '/' : checkUrl(name);
      return html(
        c,
        <ConfirmPage
          ctx={ctx}
          title="Run check"
          question={`Run "${name}" now?`}
          action={checkUrl(name, '/run')}
          button="Run now"
          fields={{ back }}
          cancel={back}
        />,
      );
    }
    if (c.req.query('delete') !== undefined && ctx.can.operate) return c.redirect(checkUrl(name, '/delete'), 302);
    return detail(c, name);
  });

  r.post('/check/:name', need('operator'), async (c) => {
    const name = c.req.param('name');
    if (!site.entry(name)) return notFound(c, d, `check named "${name}"`);
    return save(c, name);
  });

  // htmx helpers of the form
  r.get('/ui/check-fields', need('operator'), async (c) => {
    const type = c.req.query('checkType') ?? '';
    const oldName = c.req.query('oldName');
    const s = formForType(site, type, oldName && site.entry(oldName) ? oldName : undefined);
    const names = [...site.loaded.checks.keys()].filter((n) => n !== oldName);
    return html(c, <TypeFields d={typeData(c, type)} s={s} checkNames={names} />);
  });

  r.get('/ui/trigger', need('operator'), async (c) => {
    const t = describeTriggerText(site, c.req.query('trigger') ?? '', c.req.queries('inseq') !== undefined);
    if (!isHtmx(c)) c.header('Content-Type', 'text/html; charset=utf-8');
    return html(c, <TriggerParse ok={t.ok} warn={t.warn} message={t.message} />);
  });

  return r;
}
