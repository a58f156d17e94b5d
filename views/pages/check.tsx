/**
 * A check's page (spec §8.4): state, last run's log, history and the edit
 * form (operators) or the configuration (viewers); also the new-check page.
 */
import type { Child } from 'hono/jsx';
import type { CheckVM, PropsOf } from '../../src/web/view-data.ts';
import { Page } from '../layout.tsx';
import { Csrf, ErrorList, Icon, checkUrl, type PageCtx } from '../ui.tsx';
import { CheckStatus } from '../partials/check-status.tsx';
import { LogBlock } from '../partials/log-block.tsx';
import { History } from '../partials/history.tsx';
import { Incidents } from '../partials/incidents.tsx';
import { CertPanel } from '../partials/cert-panel.tsx';
import { OpsPanel } from '../partials/ops-panel.tsx';
import { BadgePanel, PushPanel, RemotePanel } from '../partials/integrations.tsx';
import { CheckboxField, OptionFields, PickField, SelectField, TextField, fieldId, one } from '../partials/fields.tsx';
import type { CheckFormData } from '../../src/web/view-data.ts';

export type { TypeFieldsData, CheckFormData, CheckPageData } from '../../src/web/view-data.ts';

export function TypeFields(p: PropsOf<'TypeFields'>): Child {
  const { d } = p;
  return (
    <fieldset id="type-fields">
      <legend>{d.type ? `${d.type} options` : 'Options'}</legend>
      {d.info ? (
        <p class="help muted">
          {d.info.summary} PASS when {d.info.pass}
        </p>
      ) : null}
      {d.retries ? (
        <TextField name="retries" label="Retries" s={p.s} type="number" min={1} max={100} step="1" placeholder="1" help="attempts per run; default 1" />
      ) : null}
      <OptionFields fields={d.fields} prefix="opt." s={p.s} checkNames={p.checkNames} />
      {d.fields.length === 0 ? <p class="muted">This type has no options of its own.</p> : null}
    </fieldset>
  );
}

export function TriggerParse(p: PropsOf<'TriggerParse'>): Child {
  const cls = !p.ok ? 'parse bad' : p.warn ? 'parse warn' : 'parse';
  return (
    <output id="trigger-parse" class={cls} for={fieldId('trigger')} aria-live="polite">
      {!p.ok ? '✗ ' : p.warn ? '⚠ ' : '✓ '}
      {p.message}
    </output>
  );
}

export function CheckForm(p: { ctx: PageCtx; d: CheckFormData }): Child {
  const { d } = p;
  const s = d.s;
  const showFed = d.mqtt || one(s, 'publish') !== '' || one(s, 'remoteId') !== '' || one(s, 'subType') !== '';
  return (
    <form method="post" action={d.name === null ? '/check' : checkUrl(d.name)} class="stack" id="check-form" novalidate>
      <Csrf token={p.ctx.csrf} />
      {d.name !== null ? <input type="hidden" name="oldName" id="f-oldName" value={d.name} /> : null}
      <input type="hidden" name="version" value={d.version} />
      {d.conflict ? (
        <div class="errors" role="alert">
          <strong>This check was changed by someone else since you opened it.</strong> Your changes were not saved.{' '}
          {d.name !== null ? <a href={checkUrl(d.name)}>Load the current version</a> : null} and apply them again.
        </div>
      ) : null}
      <ErrorList errors={s.general} />
      <TextField name="name" label="Name" s={s} required help="any text; shown everywhere and used in notifications" />
      <SelectField
        name="checkType"
        label="Type"
        s={s}
        choices={d.types}
        extra={{ 'hx-get': '/ui/check-fields', 'hx-target': '#type-fields', 'hx-swap': 'outerHTML', 'hx-include': '#f-oldName' }}
      />
      <TextField
        name="trigger"
        label="Trigger"
        s={s}
        help={`e.g. “5 min”, “interval 1 hr 30 min”, “cron */15 min”, “cron mon-fri weekday 9 hr”; empty = no schedule of its own${d.name === null ? '. A new check runs every minute unless you change it.' : ''}`}
        extra={{
          'hx-get': '/ui/trigger',
          // ticking or unticking a sequence changes the hint too (an empty trigger is fine for a sequence member)
          'hx-trigger': 'input changed delay:250ms, change from:"input[name=inseq]"',
          'hx-target': '#trigger-parse',
          'hx-swap': 'outerHTML',
          'hx-include': '[name=inseq]',
          'aria-controls': 'trigger-parse',
        }}
      />
      <TriggerParse ok={d.trigger.ok} warn={d.trigger.warn} message={d.trigger.message} />
      <TextField
        name="threshold"
        label="Threshold"
        s={s}
        type="number"
        min={1}
        step="1"
        placeholder="1"
        help="consecutive failing runs before FAIL is reported; default 1"
      />
      <CheckboxField name="paused" label="Paused" s={s} help="a paused check does not run and never notifies" />
      <CheckboxField name="failAction" label="Notify on failure" s={s} />
      <CheckboxField name="passAction" label="Notify on recovery" s={s} />
      <PickField name="actions" label="Actions" s={s} options={d.actionNames} help="notified on the transitions ticked above" />
      <PickField name="depends" label="Depends on" s={s} options={d.checkNames} help="while one of these fails, this check soft-fails without running" />
      {d.seqNames.length ? <PickField name="inseq" label="In sequences" s={s} options={d.seqNames} /> : null}
      <TextField name="timezone" label="Time zone" s={s} help="IANA zone for this check's times and cron trigger; empty = the site's zone" />
      <TypeFields d={d.type} s={s} checkNames={d.checkNames} />
      {showFed ? (
        <details class="adv" open={one(s, 'publish') !== '' || one(s, 'remoteId') !== ''}>
          <summary>Federation (MQTT)</summary>
          <TextField name="publish" label="Publish topic" s={s} help="publish this check's state to this MQTT topic after each run" />
          <TextField name="remoteId" label="Remote name" s={s} help="remote checks: the name the other instance publishes, when it differs from this one" />
          <TextField name="subType" label="Remote type" s={s} help="remote checks: the type on the other instance" />
        </details>
      ) : null}
      <div class="toolbar">
        <button type="submit" class="primary">
          {d.name === null ? 'Add check' : 'Save'}
        </button>
      </div>
    </form>
  );
}

export function CheckActions(p: { ctx: PageCtx; vm: CheckVM }): Child {
  const { vm, ctx } = p;
  const a = ctx.assets;
  const post = (tail: string, swap = 'none'): Record<string, string> => ({
    formaction: checkUrl(vm.name, tail),
    'hx-post': checkUrl(vm.name, tail),
    'hx-swap': swap,
  });
  return (
    <form method="post" action={checkUrl(vm.name, '/run')} class="toolbar">
      <Csrf token={ctx.csrf} />
      <input type="hidden" name="view" value="check" />
      <input type="hidden" name="back" value={checkUrl(vm.name)} />
      {vm.paused ? null : (
        <button type="submit" class="primary" {...post('/run')}>
          <Icon name="run" assets={a} /> Run check
        </button>
      )}
      <button type="submit" name="paused" value={vm.paused ? '0' : '1'} {...post('/pause')}>
        <Icon name={vm.paused ? 'run' : 'pause'} assets={a} /> {vm.paused ? 'Resume' : 'Pause'}
      </button>
      {vm.cloneable ? (
        <button type="submit" {...post('/clone')}>
          <Icon name="clone" assets={a} /> Clone
        </button>
      ) : null}
      <a class="btn danger" href={checkUrl(vm.name, '/delete')} hx-delete={checkUrl(vm.name)} hx-confirm={`Delete check "${vm.name}"?`} hx-swap="none">
        <Icon name="delete" assets={a} /> Delete
      </a>
    </form>
  );
}

export function CheckPage(p: PropsOf<'CheckPage'>): Child {
  const { ctx, d } = p;
  const { vm } = d;
  return (
    <Page ctx={ctx} title={vm.name}>
      <h1>
        {vm.name} <span class="muted">({vm.displayType})</span>
      </h1>
      {ctx.can.operate ? <CheckActions ctx={ctx} vm={vm} /> : null}
      <div id="notice" class="notice" role="status">
        {d.flash ?? ''}
      </div>
      <CheckStatus vm={vm} assets={ctx.assets} inseqs={d.inseqs} />
      <h2>Last run</h2>
      <LogBlock vm={vm} id />
      {d.extras.push ? <PushPanel vm={d.extras.push} operate={ctx.can.operate} /> : null}
      {d.extras.remote ? <RemotePanel vm={d.extras.remote} /> : null}
      <OpsPanel vm={vm} csrf={ctx.csrf} operate={ctx.can.operate} decisions={d.decisions} />
      {d.cert ? <CertPanel vm={d.cert} /> : null}
      <History {...d.history} />
      <Incidents name={vm.name} d={d.incidents} zoneTime={d.history.zoneTime} />
      <p>
        <a href={checkUrl(vm.name, '/charts')}>Charts: response time and measurements over 1 hour to 90 days</a>
      </p>
      {d.extras.badges ? <BadgePanel vm={d.extras.badges} /> : null}
      <h2>Configuration</h2>
      {d.form ? (
        <CheckForm ctx={ctx} d={d.form} />
      ) : (
        <pre class="log" aria-label="configuration">
          {d.config}
        </pre>
      )}
    </Page>
  );
}

export function NewCheckPage(p: PropsOf<'NewCheckPage'>): Child {
  return (
    <Page ctx={p.ctx} title="Add check">
      <h1>Add check</h1>
      <CheckForm ctx={p.ctx} d={p.d} />
    </Page>
  );
}
