/**
 * Form fields, labelled and keyboard-usable, with their server-side errors
 * (aria-invalid + aria-describedby). Option fields come from the registry's
 * zod schemas (src/web/fields.ts); the same component draws common fields.
 */
import type { Child } from 'hono/jsx';
import { type Field, fieldId, type FormState, keptMarker, many, one } from '../../src/web/view-data.ts';
import { SecretField } from './secret-field.tsx';

export { emptyForm, fieldId, many, one, type FormState } from '../../src/web/view-data.ts';

/** Shown on a hostAccess field to a user below admin (src/config/trust.ts decides; this only says so). */
export const ADMIN_ONLY_FIELD = 'Only an administrator can change this: it decides what runs on this host or what siteward reads.';

function Help(p: { id: string; help?: string; error?: string }): Child {
  return (
    <>
      {p.help ? (
        <span class="help" id={`${p.id}-help`}>
          {p.help}
        </span>
      ) : null}
      {p.error ? (
        <span class="err" id={`${p.id}-err`} role="alert">
          {p.error}
        </span>
      ) : null}
    </>
  );
}

function described(id: string, help?: string, error?: string): string | undefined {
  const ids = [help ? `${id}-help` : '', error ? `${id}-err` : ''].filter(Boolean).join(' ');
  return ids || undefined;
}

export function TextField(p: {
  name: string;
  label: string;
  s: FormState;
  help?: string;
  type?: string;
  required?: boolean;
  placeholder?: string;
  autocomplete?: string;
  inputmode?: 'numeric' | 'decimal';
  min?: number;
  max?: number;
  step?: string;
  extra?: Record<string, string>;
  readonly?: boolean;
}): Child {
  const id = fieldId(p.name);
  const err = p.s.errors[p.name];
  return (
    <div class="field">
      <label for={id}>{p.label}</label>
      <input
        type={p.type ?? 'text'}
        id={id}
        name={p.name}
        value={p.type === 'password' ? '' : one(p.s, p.name)}
        required={p.required}
        placeholder={p.placeholder}
        autocomplete={p.autocomplete ?? 'off'}
        inputmode={p.inputmode}
        min={p.min}
        max={p.max}
        step={p.step}
        readonly={p.readonly}
        class={p.readonly ? 'locked' : undefined}
        aria-invalid={err ? 'true' : undefined}
        aria-describedby={described(id, p.help, err)}
        {...(p.extra ?? {})}
      />
      <Help id={id} help={p.help} error={err} />
    </div>
  );
}

export function CheckboxField(p: { name: string; label: string; s: FormState; help?: string }): Child {
  const id = fieldId(p.name);
  const err = p.s.errors[p.name];
  return (
    <div class="field check">
      <input type="checkbox" id={id} name={p.name} value="on" checked={one(p.s, p.name) !== ''} aria-describedby={described(id, p.help, err)} />
      <label for={id}>{p.label}</label>
      <Help id={id} help={p.help} error={err} />
    </div>
  );
}

export function SelectField(p: {
  name: string;
  label: string;
  s: FormState;
  choices: readonly (string | [string, string])[];
  help?: string;
  extra?: Record<string, string>;
  empty?: string;
}): Child {
  const id = fieldId(p.name);
  const err = p.s.errors[p.name];
  const cur = one(p.s, p.name);
  return (
    <div class="field">
      <label for={id}>{p.label}</label>
      <select id={id} name={p.name} aria-invalid={err ? 'true' : undefined} aria-describedby={described(id, p.help, err)} {...(p.extra ?? {})}>
        {p.empty !== undefined ? (
          <option value="" selected={cur === ''}>
            {p.empty}
          </option>
        ) : null}
        {p.choices.map((c) => {
          const [value, text] = Array.isArray(c) ? c : [c, c];
          return (
            <option value={value} selected={value === cur}>
              {text}
            </option>
          );
        })}
      </select>
      <Help id={id} help={p.help} error={err} />
    </div>
  );
}

export function LinesField(p: { name: string; label: string; s: FormState; help?: string; readonly?: boolean }): Child {
  const id = fieldId(p.name);
  const err = p.s.errors[p.name];
  return (
    <div class="field">
      <label for={id}>{p.label}</label>
      <textarea
        id={id}
        name={p.name}
        rows={4}
        readonly={p.readonly}
        class={p.readonly ? 'locked' : undefined}
        aria-invalid={err ? 'true' : undefined}
        aria-describedby={described(id, p.help, err)}
      >
        {many(p.s, p.name).join('\n')}
      </textarea>
      <Help id={id} help={p.help} error={err} />
    </div>
  );
}

/** A text area whose value is kept exactly, blank lines and line ends included. */
export function TextAreaField(p: { name: string; label: string; s: FormState; help?: string }): Child {
  const id = fieldId(p.name);
  const err = p.s.errors[p.name];
  const v = one(p.s, p.name);
  return (
    <div class="field">
      <label for={id}>{p.label}</label>
      <textarea id={id} name={p.name} rows={3} spellcheck={false} aria-invalid={err ? 'true' : undefined} aria-describedby={described(id, p.help, err)}>
        {/* the HTML parser drops one line break right after <textarea> (HTML §13.2.6.4.7): a leading one is doubled */}
        {/^\r?\n/.test(v) ? `\n${v}` : v}
      </textarea>
      <Help id={id} help={p.help} error={err} />
    </div>
  );
}

/** Pick names from a list: check boxes for a short list, one name per line for a long one. */
export function PickField(p: { name: string; label: string; s: FormState; options: readonly string[]; help?: string; max?: number }): Child {
  if (p.options.length > (p.max ?? 100)) {
    return <LinesField name={p.name} label={p.label} s={p.s} help={`${p.help ? `${p.help}. ` : ''}One name per line.`} />;
  }
  const id = fieldId(p.name);
  const err = p.s.errors[p.name];
  const cur = new Set(many(p.s, p.name));
  return (
    <fieldset aria-describedby={described(id, p.help, err)}>
      <legend>{p.label}</legend>
      {p.options.length === 0 ? (
        <span class="muted">(none available)</span>
      ) : (
        <div class="picks">
          {p.options.map((o, i) => (
            <label>
              <input type="checkbox" name={p.name} value={o} checked={cur.has(o)} id={`${id}-${i}`} />
              {o}
            </label>
          ))}
        </div>
      )}
      <Help id={id} help={p.help} error={err} />
    </fieldset>
  );
}

/** One schema-derived option field; `prefix` namespaces input names (`opt.`, `mqtt.`). */
export function OptionField(p: { f: Field; prefix: string; s: FormState; checkNames: readonly string[] }): Child {
  const { f } = p;
  const name = `${p.prefix}${f.key}`;
  const dflt = f.default === undefined || f.default === null ? undefined : typeof f.default === 'object' ? JSON.stringify(f.default) : String(f.default);
  const help = [
    f.locked ? ADMIN_ONLY_FIELD : '',
    f.help,
    dflt !== undefined && f.kind !== 'checkbox' && dflt !== '' && dflt !== '[]' && dflt !== '{}' ? `default: ${dflt}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  const ro = f.locked === true;
  const more = (text: string): string => `${help}${help ? ' · ' : ''}${text}`;
  const label = `${f.label}${f.required ? ' (required)' : ''}`;
  switch (f.kind) {
    case 'checkbox':
      return <CheckboxField name={name} label={label} s={p.s} help={f.help} />;
    case 'select':
      if (f.tristate)
        return (
          <SelectField
            name={name}
            label={label}
            s={p.s}
            choices={[
              ['true', 'yes'],
              ['false', 'no'],
            ]}
            help={f.help}
            empty="(default)"
          />
        );
      return <SelectField name={name} label={label} s={p.s} choices={f.choices} help={help} empty={f.required ? undefined : '(default)'} />;
    case 'number':
    case 'integer':
      return (
        <TextField
          name={name}
          label={label}
          s={p.s}
          help={help}
          type="number"
          step={f.kind === 'integer' ? '1' : 'any'}
          min={f.min}
          max={f.max}
          placeholder={dflt}
          inputmode={f.kind === 'integer' ? 'numeric' : 'decimal'}
        />
      );
    case 'lines':
      return <LinesField name={name} label={label} s={p.s} help={more(f.single ? 'one or more, one per line' : 'one per line, in order')} readonly={ro} />;
    case 'members':
      return <PickField name={name} label={label} s={p.s} options={p.checkNames} help={help} />;
    case 'json':
      return (
        <LinesField
          name={name}
          label={`${label} (JSON)`}
          s={p.s}
          help={
            f.secrets
              ? more(`"${keptMarker(1)}" (2, 3, …) keeps a stored secret; {"env": "NAME"} or {"file": "/path"} keeps a secret out of the site file`)
              : help
          }
          readonly={ro}
        />
      );
    case 'template':
      return (
        <div class="field">
          <SelectField
            name={`${name}.as`}
            label={`${f.label}: read as`}
            s={p.s}
            choices={[
              ['text', 'text'],
              ['json', 'JSON (object or array)'],
            ]}
          />
          <LinesField name={name} label={label} s={p.s} help={help} />
        </div>
      );
    case 'multiline':
      return <TextAreaField name={name} label={label} s={p.s} help={more('line ends are sent as CRLF')} />;
    case 'secret':
      return <SecretField f={f} name={name} label={label} help={help} s={p.s} />;
    default:
      return <TextField name={name} label={label} s={p.s} help={help} placeholder={dflt} readonly={ro} />;
  }
}

export function OptionFields(p: { fields: readonly Field[]; prefix: string; s: FormState; checkNames: readonly string[] }): Child {
  return (
    <>
      {p.fields.map((f) => (
        <OptionField f={f} prefix={p.prefix} s={p.s} checkNames={p.checkNames} />
      ))}
    </>
  );
}
