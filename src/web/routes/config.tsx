/**
 * Site configuration (admin): the form (spec §8.5) and the raw JSON editor
 * for the whole site file — validate with path-precise errors, show the diff
 * against the file, save, and roll back to the `.bak`.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Hono } from 'hono';
import { parseSiteText } from '../../config/parse.ts';
import { validateSite } from '../../config/load.ts';
import { formatIssue, type Issue } from '../../config/issues.ts';
import { fletchckWarning } from '../../config/fletchck-compat.ts';
import { authOf, isHtmx, need, type WebContext, type WebEnv } from '../context.ts';
import type { WebDeps } from '../deps.ts';
import { formValues } from '../fields.ts';
import { formState } from '../check-form.ts';
import { diffLines } from '../diff.ts';
import { SECTION_NAMES, configForm, configVersion, docVersion, lockoutProblem, readConfigForm, sectionFields, shareUnchanged } from '../site-config.ts';
import { html, pageCtx } from '../render.tsx';
import { federationVM } from '../integrations.ts';
import type { FormState } from '../view-data.ts';
import type { RawResult } from '../view-data.ts';

class Conflict extends Error {}

const sha = (s: string): string => createHash('sha256').update(s).digest('base64url').slice(0, 22);

function listenOf(w: unknown, override: number | undefined): string {
  const o = (w ?? {}) as Record<string, unknown>;
  return JSON.stringify([o.hostname ?? 'localhost', override ?? o.port ?? null, o.cert ?? null, o.key ?? null]);
}

export function configRoutes(d: WebDeps): Hono<WebEnv> {
  const { ConfigPage, DiffView, RawPage, RawResultView, ConfirmPage, MessagePage } = d.pages;
  const r = new Hono<WebEnv>();
  const { site } = d;

  const page = (c: WebContext, s: FormState, o: { status?: 200 | 409 | 422; conflict?: boolean; flash?: string } = {}) =>
    html(
      c,
      <ConfigPage
        ctx={pageCtx(c, d, { kind: 'page' })}
        s={s}
        f={sectionFields()}
        version={configVersion(site.loaded.doc)}
        flash={o.flash}
        conflict={o.conflict}
        base={site.base}
        file={site.configPath}
        fed={federationVM(site, d.federation)}
        fletchck={fletchckWarning(site.loaded)?.message ?? null}
      />,
      o.status ?? 200,
    );

  r.get('/config', need('admin'), (c) => page(c, configForm(site.loaded.doc), { flash: c.req.query('saved') ? 'Saved and applied.' : undefined }));

  r.post('/config', need('admin'), async (c) => {
    const form = formValues(await c.req.parseBody({ all: true }));
    const markers = Object.fromEntries(Object.entries(configForm(site.loaded.doc).values).filter(([k]) => k.endsWith('.stored')));
    const read = readConfigForm(site.loaded.doc, form);
    if (Object.keys(read.errors).length) return page(c, formState(form, read.errors, [], markers), { status: 422 });
    const before = listenOf(site.loaded.doc.webui, d.portOverride);
    let res;
    try {
      res = await site.mutate((doc) => {
        if (configVersion(doc) !== (form.get('version') ?? '')) throw new Conflict();
        return readConfigForm(doc, form).doc;
      });
    } catch (e) {
      if (e instanceof Conflict) return page(c, formState(form, {}, [], markers), { status: 409, conflict: true });
      throw e;
    }
    if (!res.ok) {
      const errors: Record<string, string> = {};
      const general: string[] = [];
      for (const i of res.issues) {
        if (typeof i.path[0] === 'string' && i.path.length >= 2 && (SECTION_NAMES as readonly string[]).includes(i.path[0]))
          errors[`${i.path[0]}.${String(i.path[1])}`] ??= i.message;
        else if (i.path[0] === 'timezone') errors.timezone ??= i.message;
        else general.push(formatIssue(i));
      }
      return page(c, formState(form, errors, general, markers), { status: 422 });
    }
    site.warn(`Site configuration changed by ${authOf(c).user}`);
    const after = listenOf(site.loaded.doc.webui, d.portOverride);
    if (after !== before) {
      const w = site.settings.webui;
      const host = !w?.hostname || w.hostname === '0.0.0.0' || w.hostname === '::' ? new URL(c.req.url).hostname : w.hostname;
      const url = `${w?.cert && w.key ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${d.portOverride ?? w?.port ?? ''}/`;
      return html(
        c,
        <MessagePage
          ctx={pageCtx(c, d, null)}
          title="Web UI moving"
          message={
            <>
              Saved. The web UI restarts with its new address or certificate: <a href={url}>{url}</a>
            </>
          }
        />,
      );
    }
    return c.redirect('/config?saved=1', 303);
  });

  // ---- raw editor

  const fileText = async (path: string): Promise<string | null> => readFile(path, 'utf8').catch(() => null);

  /** Validates a text as the next site file; the diff is against the file on disk. */
  const check = async (text: string): Promise<{ result: RawResult; doc: Record<string, unknown> | null }> => {
    const current = (await fileText(site.configPath)) ?? '';
    const parsed = parseSiteText(text);
    const errors: string[] = [];
    const warnings: string[] = [];
    let doc: Record<string, unknown> | null = null;
    const diff = diffLines(current, text.replace(/\r\n/g, '\n'));
    if (parsed.doc === undefined || parsed.issues.some((i) => i.path.length === 0)) {
      errors.push(...parsed.issues.map(formatIssue));
      return { result: { ok: false, errors, warnings, diff }, doc };
    }
    const loaded = validateSite(parsed.doc, { base: site.base, sysRoot: site.env.sysRoot, procRoot: site.env.procRoot }, parsed.issues);
    const lock = loaded.fatal ? null : lockoutProblem(loaded.doc);
    const all: Issue[] = lock ? [...loaded.issues, lock] : loaded.issues;
    const compat = loaded.fatal ? null : fletchckWarning(loaded);
    for (const i of compat ? [...all, compat] : all) (i.severity === 'error' ? errors : warnings).push(formatIssue(i));
    if (!loaded.fatal && !lock) doc = loaded.doc;
    return { result: { ok: errors.length === 0 && doc !== null, errors, warnings, diff }, doc };
  };

  r.get('/config/raw', need('admin'), async (c) => {
    const text = (await fileText(site.configPath)) ?? '';
    const hasBak = (await fileText(`${site.configPath}.bak`)) !== null;
    const flash = c.req.query('saved') ? { ok: true, errors: [], warnings: [], diff: null, saved: true } : null;
    return html(c, <RawPage ctx={pageCtx(c, d, null)} text={text} version={docVersion(site.loaded.doc)} result={flash} hasBak={hasBak} />);
  });

  r.post('/config/raw/check', need('admin'), async (c) => {
    const form = formValues(await c.req.parseBody({ all: true }));
    const text = form.get('text') ?? '';
    const { result } = await check(text);
    if (isHtmx(c)) return html(c, <RawResultView r={result} />);
    const hasBak = (await fileText(`${site.configPath}.bak`)) !== null;
    return html(c, <RawPage ctx={pageCtx(c, d, null)} text={text} version={form.get('version') ?? ''} result={result} hasBak={hasBak} />);
  });

  r.post('/config/raw', need('admin'), async (c) => {
    const form = formValues(await c.req.parseBody({ all: true }));
    const text = form.get('text') ?? '';
    const version = form.get('version') ?? '';
    const hasBak = (await fileText(`${site.configPath}.bak`)) !== null;
    const again = (result: RawResult, status: 409 | 422) =>
      html(c, <RawPage ctx={pageCtx(c, d, null)} text={text} version={version} result={result} hasBak={hasBak} />, status);
    const { result, doc } = await check(text);
    if (!doc) return again(result, 422);
    let res;
    try {
      res = await site.mutate((cur) => {
        // the site as it is now must be the one the editor was opened on
        if (docVersion(cur) !== version) throw new Conflict();
        return shareUnchanged(cur, doc);
      });
    } catch (e) {
      if (e instanceof Conflict)
        return again(
          {
            ...result,
            ok: false,
            errors: [
              'The configuration changed since you opened the editor (someone else saved a change). Nothing was saved: copy your changes, reload and apply them again.',
            ],
          },
          409,
        );
      throw e;
    }
    if (!res.ok) return again({ ...result, ok: false, errors: res.issues.map(formatIssue) }, 422);
    // as a reload: every problem of the file now running is logged and named in the site log
    site.announceConfig(`Site file edited by ${authOf(c).user}`);
    return c.redirect('/config/raw?saved=1', 303);
  });

  r.get('/config/raw/rollback', need('admin'), async (c) => {
    const bak = await fileText(`${site.configPath}.bak`);
    const ctx = pageCtx(c, d, null);
    if (bak === null)
      return html(c, <MessagePage ctx={ctx} title="Roll back" message="There is no previous version (.bak) of the site file." back="/config/raw" error />, 404);
    const cur = (await fileText(site.configPath)) ?? '';
    return html(
      c,
      <ConfirmPage
        ctx={ctx}
        title="Roll back the site file"
        question="Replace the site file with its previous version? These are the changes:"
        action="/config/raw/rollback"
        button="Roll back"
        danger
        fields={{ version: sha(bak) }}
        cancel="/config/raw"
        detail={<DiffView diff={diffLines(cur, bak)} from="current file" to="previous version" />}
      />,
    );
  });

  r.post('/config/raw/rollback', need('admin'), async (c) => {
    const form = formValues(await c.req.parseBody({ all: true }));
    const bak = await fileText(`${site.configPath}.bak`);
    const ctx = pageCtx(c, d, null);
    if (bak === null)
      return html(c, <MessagePage ctx={ctx} title="Roll back" message="There is no previous version (.bak) of the site file." back="/config/raw" error />, 404);
    if (form.get('confirm') !== 'yes' || sha(bak) !== form.get('version')) return c.redirect('/config/raw/rollback', 303);
    const { result, doc } = await check(bak);
    if (!doc)
      return html(
        c,
        <MessagePage ctx={ctx} title="Roll back refused" message={`The previous version has errors: ${result.errors.join('; ')}`} back="/config/raw" error />,
        422,
      );
    const res = await site.mutate((cur) => shareUnchanged(cur, doc));
    if (!res.ok)
      return html(c, <MessagePage ctx={ctx} title="Roll back refused" message={res.issues.map(formatIssue).join('; ')} back="/config/raw" error />, 422);
    site.announceConfig(`Site file rolled back to its previous version by ${authOf(c).user}`);
    return c.redirect('/config/raw?saved=1', 303);
  });

  return r;
}
