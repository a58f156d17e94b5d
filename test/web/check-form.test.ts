/**
 * The check form (spec §8.4, fixed): only the selected type's fields are
 * saved, every field is validated on the server with its own message, the
 * trigger text keeps what it cannot express, renames fix references, and two
 * tabs editing one check see a conflict instead of overwriting each other.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { checkTypes } from '../../src/checks/registry.ts';
import { fieldsOf } from '../../src/web/fields.ts';
import { mergeTrigger, normaliseOptions } from '../../src/web/check-form.ts';
import { rawCheck } from '../../src/web/model.ts';
import { Agent, PASSWORDS, formHtml, scrapeForm, webSite, type TestSite, type FormBody } from './helpers.ts';

let t: TestSite;
let a: Agent;
beforeEach(async () => {
  t = await webSite();
  a = new Agent(t.web);
  await a.login('olly', PASSWORDS.olly);
});
afterEach(async () => {
  await t.close();
});

/** The form as the page renders it (hidden fields, current values). */
async function formOf(path: string): Promise<FormBody> {
  return scrapeForm(formHtml(await a.page(path), 'id="check-form"'));
}

describe('create', () => {
  it('adds a check with notifications on and a priority after the others', async () => {
    await a.page('/check');
    const res = await a.post('/check', {
      name: 'web disk',
      checkType: 'disk',
      trigger: '5 min',
      'opt.volume': '/',
      'opt.level': '95',
      failAction: 'on',
      passAction: 'on',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('Location')).toBe('/check/web%20disk?saved=1');
    const raw = rawCheck(t.site.loaded, 'web disk')!;
    expect(raw).toMatchObject({
      type: 'disk',
      trigger: { interval: { minutes: 5 } },
      failAction: true,
      passAction: true,
      paused: false,
      options: { volume: '/', level: 95 },
      priority: 400,
    });
    // empty fields are left out: their defaults apply, nothing is written for them
    expect(raw.options).not.toHaveProperty('hysteresis');
    expect(raw).not.toHaveProperty('threshold');
    expect(t.site.entry('web disk')!.schedule).toMatchObject({ kind: 'interval', everyMs: 300_000 });
  });

  it('reports every bad field at once, with the field, and saves nothing', async () => {
    await a.page('/check');
    const res = await a.post('/check', {
      name: 'root',
      checkType: 'disk',
      trigger: '1 fortnight',
      threshold: 'three',
      'opt.level': 'high',
      'opt.hysteresis': '-4',
      depends: ['nope'],
      actions: ['ghost'],
      timezone: 'Mars/Olympus',
      inseq: ['lone'],
    });
    expect(res.status).toBe(422);
    const html = await res.text();
    const err = (field: string): string | undefined => new RegExp(`id="f-${field.replace('.', '_2e')}-err"[^>]*>([^<]*)<`).exec(html)?.[1];
    expect(err('name')).toBe('a check named &quot;root&quot; already exists');
    expect(err('trigger')).toMatch(/fortnight/);
    expect(err('threshold')).toBe('&quot;three&quot; is not a whole number');
    expect(err('opt.level')).toBe('&quot;high&quot; is not a number');
    expect(html).toContain('not a check it can depend on: nope');
    expect(html).toContain('unknown action: ghost');
    expect(html).toContain('not a sequence: lone');
    expect(err('timezone')).toMatch(/not a known time zone/);
    expect(html).toMatch(/aria-invalid="true"/);
    // what was typed is shown again
    expect(html).toContain('value="1 fortnight"');
    expect(t.site.loaded.checks.size).toBe(4);
  });

  it('an option outside its range is reported at the option by the type schema', async () => {
    await a.page('/check');
    const res = await a.post('/check', { name: 'x', checkType: 'disk', 'opt.level': '250' });
    expect(res.status).toBe(422);
    expect(await res.text()).toMatch(/id="f-opt_2elevel-err"[^>]*>[^<]*100/);
  });

  it('an unknown type is an error, not a crash', async () => {
    await a.page('/check');
    const res = await a.post('/check', { name: 'x', checkType: 'gopher' });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('unknown check type &quot;gopher&quot;');
  });

  it('joins the sequences ticked under "In sequences"', async () => {
    await a.page('/check');
    expect((await a.post('/check', { name: 'extra', checkType: 'cpu', inseq: ['seq'] })).status).toBe(303);
    expect(rawCheck(t.site.loaded, 'seq')!.options).toEqual({ checks: ['root', 'ram', 'extra'] });
  });
});

describe('edit', () => {
  it("saving the form unchanged changes no setting (it spells out fletchck's defaults)", async () => {
    const before = t.site.entry('seq')!.config;
    const form = await formOf('/check/seq');
    expect((await a.post('/check/seq', form)).status).toBe(303);
    expect(t.site.entry('seq')!.config).toEqual(before);
    expect(rawCheck(t.site.loaded, 'seq')).toMatchObject({ options: { checks: ['root', 'ram'] }, paused: false, failAction: true, passAction: true });
  });

  it("changing the type saves only the new type's options (no options pollution)", async () => {
    const form = await formOf('/check/root');
    const res = await a.post('/check/root', { ...form, checkType: 'memory', 'opt.level': '70' });
    expect(res.status).toBe(303);
    expect(rawCheck(t.site.loaded, 'root')!.options).toEqual({ level: 70 });
  });

  it('keeps option keys the form does not show when the type stays', async () => {
    await t.site.mutate((doc) => ({
      ...doc,
      checks: { ...(doc.checks as object), root: { type: 'disk', options: { volume: '/', level: 100, comment: 'kept' } } },
    }));
    const form = await formOf('/check/root');
    expect((await a.post('/check/root', { ...form, 'opt.level': '99' })).status).toBe(303);
    expect(rawCheck(t.site.loaded, 'root')!.options).toEqual({ volume: '/', level: 99, comment: 'kept' });
  });

  it('re-parsing the trigger text keeps keys the text cannot express (start_date, jitter)', async () => {
    await t.site.mutate((doc) => ({
      ...doc,
      checks: { ...(doc.checks as object), lone: { type: 'cpu', trigger: { cron: { hour: '5', start_date: '2026-02-01', jitter: 3 } } } },
    }));
    const form = await formOf('/check/lone');
    expect(form.trigger).toEqual(['cron 5 hr']);
    expect((await a.post('/check/lone', { ...form, trigger: 'cron 6 hr 30 min' })).status).toBe(303);
    expect(rawCheck(t.site.loaded, 'lone')!.trigger).toEqual({ cron: { start_date: '2026-02-01', jitter: 3, hour: '6', minute: '30' } });
  });

  it('a trigger text with an error is refused, the schedule is not silently removed', async () => {
    const form = await formOf('/check/seq');
    const res = await a.post('/check/seq', { ...form, trigger: 'cron 99 hr' });
    expect(res.status).toBe(422);
    expect(rawCheck(t.site.loaded, 'seq')!.trigger).toEqual({ interval: { minutes: 5 } });
  });

  it('renaming moves the state and fixes sequences and dependencies', async () => {
    await t.site.runNow('root');
    await t.site.mutate((doc) => ({ ...doc, checks: { ...(doc.checks as object), lone: { type: 'cpu', depends: ['root'] } } }));
    const state = t.site.state('root');
    const form = await formOf('/check/root');
    const res = await a.post('/check/root', { ...form, name: 'rootfs' });
    expect(res.status).toBe(303);
    expect(t.site.entry('root')).toBeUndefined();
    expect(t.site.state('rootfs')).toEqual(state);
    expect(rawCheck(t.site.loaded, 'seq')!.options).toEqual({ checks: ['rootfs', 'ram'] });
    expect(rawCheck(t.site.loaded, 'lone')!.depends).toEqual(['rootfs']);
  });

  it('two tabs: the second save of the same check is refused with a conflict, keeping the first', async () => {
    const tab1 = await formOf('/check/lone');
    const tab2 = await formOf('/check/lone');
    expect((await a.post('/check/lone', { ...tab1, threshold: '3' })).status).toBe(303);
    const res = await a.post('/check/lone', { ...tab2, threshold: '7' });
    expect(res.status).toBe(409);
    const html = await res.text();
    expect(html).toContain('changed by someone else');
    expect(html).toContain('value="7"'); // the user's input is not lost
    expect(rawCheck(t.site.loaded, 'lone')!.threshold).toBe(3);
  });

  it('a run between opening and saving is not a conflict (runtime data is not part of the version)', async () => {
    const form = await formOf('/check/root');
    await t.site.runNow('root');
    await t.site.save();
    expect((await a.post('/check/root', { ...form, threshold: '2' })).status).toBe(303);
  });

  it('an engine validation error (a dependency cycle) is shown at the field', async () => {
    await t.site.mutate((doc) => ({ ...doc, checks: { ...(doc.checks as object), lone: { type: 'cpu', depends: ['ram'] } } }));
    const form = await formOf('/check/ram');
    const res = await a.post('/check/ram', { ...form, depends: ['lone'] });
    expect(res.status).toBe(422);
    expect(await res.text()).toMatch(/id="f-depends-err"[^>]*>dependency cycle/);
  });
});

describe('htmx helpers', () => {
  it('the type selector swaps in the fields of the chosen type only', async () => {
    const html = await (await a.get('/ui/check-fields?checkType=memory&oldName=root', { 'HX-Request': 'true' })).text();
    expect(html).toMatch(/^<fieldset id="type-fields">/);
    expect(html).toContain('name="opt.level"');
    expect(html).toContain('placeholder="85"');
    expect(html).not.toContain('opt.volume');
    const back = await (await a.get('/ui/check-fields?checkType=disk&oldName=root', { 'HX-Request': 'true' })).text();
    expect(back).toContain('name="opt.volume" value="/"'); // the stored values of the stored type
  });

  it('a sequence gets a picker of check names for its members', async () => {
    const html = await (await a.get('/ui/check-fields?checkType=sequence', { 'HX-Request': 'true' })).text();
    expect(html).toContain('<legend>Checks</legend>');
    expect(html).toContain('type="checkbox" name="opt.checks" value="root"');
  });

  it('the trigger field is parsed as you type', async () => {
    const ok = await (await a.get('/ui/trigger?trigger=cron%20mon-fri%20weekday%209%20hr', { 'HX-Request': 'true' })).text();
    expect(ok).toMatch(/^<output id="trigger-parse" class="parse"/);
    expect(ok).toContain('✓ cron mon-fri weekday 9 hr');
    expect(ok).toContain('first run');
    const bad = await (await a.get('/ui/trigger?trigger=1%20fortnight', { 'HX-Request': 'true' })).text();
    expect(bad).toContain('class="parse bad"');
    const zone = await (await a.get('/ui/trigger?trigger=cron%209%20hr%20Australia%2FAdelaide%20z', { 'HX-Request': 'true' })).text();
    expect(zone).toContain('Australia/Adelaide z'); // spec §6.3 bug: the zone keeps its case
  });
});

describe('pieces', () => {
  it('mergeTrigger keeps unknown keys only for the same kind', () => {
    expect(mergeTrigger({ interval: { minutes: 5, start_date: 'x' }, misfire: 1 }, { interval: { seconds: 30 } })).toEqual({
      misfire: 1,
      interval: { start_date: 'x', seconds: 30 },
    });
    expect(mergeTrigger({ interval: { minutes: 5, start_date: 'x' } }, { cron: { hour: '5' } })).toEqual({ cron: { hour: '5' } });
    expect(mergeTrigger({ interval: { minutes: 5 } }, null)).toBeNull();
  });

  it('hostname normalisation of the form (spec §4.0)', () => {
    expect(normaliseOptions({ hostname: '00:11:22:33:44:55', port: 1 })).toEqual({ hostname: 'fe80::211:22ff:fe33:4455%2', port: 1 });
    expect(normaliseOptions({ hostname: 'fe80::1' })).toEqual({ hostname: 'fe80::1%2' });
    expect(normaliseOptions({ volume: '00:11:22:33:44:55' })).toEqual({ volume: '00:11:22:33:44:55' });
  });

  // runs once a check type with a `hostname` option is registered (network checks)
  const hostType = checkTypes.find((x) => fieldsOf(x.options).some((f) => f.key === 'hostname'));
  it.runIf(hostType !== undefined)('a MAC address typed as the host is saved as its link-local address', async () => {
    const type = hostType!;
    await a.page('/check');
    const fields = fieldsOf(type.options);
    const body: FormBody = { name: 'mac', checkType: type.type, 'opt.hostname': '00:11:22:33:44:55' };
    for (const f of fields) if (f.required && f.key !== 'hostname') body[`opt.${f.key}`] = f.kind === 'integer' || f.kind === 'number' ? '1' : 'x';
    expect((await a.post('/check', body)).status).toBe(303);
    expect(rawCheck(t.site.loaded, 'mac')!.options).toMatchObject({ hostname: 'fe80::211:22ff:fe33:4455%2' });
  });
});
