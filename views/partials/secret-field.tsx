/**
 * A secret option (src/web/secrets.ts): where it comes from — kept as
 * stored, typed here, an environment variable or a file — and the new value
 * or reference. The page says what is stored ("set (inline)", "env NAME",
 * "file PATH") and never carries a stored value.
 */
import type { Child } from 'hono/jsx';
import { fieldId, one, type Field, type FormState } from '../../src/web/view-data.ts';

export function SecretField(p: { f: Field; name: string; label: string; help: string; s: FormState }): Child {
  const { f, name, s } = p;
  const id = fieldId(name);
  const err = s.errors[name];
  const stored = one(s, `${name}.stored`);
  const src = one(s, `${name}.src`) || (stored ? 'keep' : 'inline');
  const choices: [string, string][] = [];
  if (stored && !/^(env|file) /.test(stored)) choices.push(['keep', `keep the stored value (${stored})`]);
  choices.push(['inline', stored ? 'a new value, typed here' : 'the value, typed here']);
  // below admin a stored reference may be kept, not made (src/config/trust.ts)
  if (f.refs && (!f.refsLocked || src === 'env')) choices.push(['env', 'an environment variable']);
  if (f.refs && (!f.refsLocked || src === 'file')) choices.push(['file', 'a file (first line)']);
  if (!f.required) choices.push(['none', stored ? 'none: remove it' : 'none']);
  const describedBy = [`${id}-help`, err ? `${id}-err` : ''].filter(Boolean).join(' ');
  return (
    <fieldset class="secret" aria-describedby={describedBy}>
      <legend>{p.label}</legend>
      <p class="help" id={`${id}-help`}>
        <span class="stored">{stored ? `Stored: ${stored}.` : 'Nothing stored.'}</span> {p.help}
        {stored ? `${p.help ? ' · ' : ''}secrets are never shown here: leave the value empty to keep the stored one` : ''}
        {f.refsLocked ? ' · Only an administrator can make siteward read a secret from an environment variable or a file.' : ''}
      </p>
      <div class="secret-row">
        <div class="field">
          <label for={`${id}-src`}>Source</label>
          <select id={`${id}-src`} name={`${name}.src`}>
            {choices.map(([v, t]) => (
              <option value={v} selected={v === src}>
                {t}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for={id}>Value</label>
          <input type="password" id={id} name={name} value="" autocomplete="new-password" aria-invalid={err ? 'true' : undefined} />
        </div>
        {f.refs ? (
          <div class="field">
            <label for={`${id}-ref`}>Variable name or file path</label>
            <input
              type="text"
              id={`${id}-ref`}
              name={`${name}.ref`}
              value={one(s, `${name}.ref`)}
              autocomplete="off"
              spellcheck={false}
              readonly={f.refsLocked}
              class={f.refsLocked ? 'locked' : undefined}
            />
          </div>
        ) : null}
      </div>
      {err ? (
        <span class="err" id={`${id}-err`} role="alert">
          {err}
        </span>
      ) : null}
    </fieldset>
  );
}
