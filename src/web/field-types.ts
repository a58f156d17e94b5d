import type { SlotPath } from '../config/marks.ts';

/** One form field derived from a zod option schema (fields.ts makes them, field-read.ts reads them back, views draw them). */
export type FieldKind = 'text' | 'secret' | 'number' | 'integer' | 'checkbox' | 'select' | 'lines' | 'members' | 'json' | 'template' | 'multiline';

export interface Field {
  key: string;
  label: string;
  kind: FieldKind;
  help: string;
  /** the schema default (shown as placeholder; an empty input means "use the default") */
  default: unknown;
  choices: string[];
  min?: number;
  max?: number;
  /** no default and not optional: an empty input is an error */
  required: boolean;
  /** secret: `{"env": …}` / `{"file": …}` references are accepted besides the value itself */
  refs?: boolean;
  /** text, lines: whole numbers are stored as numbers (the schema takes them: a chat id, status codes) */
  numeric?: boolean;
  /** lines: a single item is stored on its own (the schema takes one value or a list) */
  single?: boolean;
  /**
   * json: where inside the value secrets are (slot paths from the field's
   * value, src/config/marks.ts: each of an object's values, a property of
   * each item): their inline values never reach the browser (secrets.ts)
   */
  secrets?: SlotPath[];
  /** select: yes (true), no (false) or the default (null), stored as booleans */
  tristate?: boolean;
  /** marked hostAccess (src/config/marks.ts): only an administrator may change it */
  hostAccess?: boolean;
  /** set for a user below admin (`forRole`): a hostAccess field shown read-only */
  locked?: boolean;
  /** set for a user below admin (`forRole`): a secret field that may keep a stored reference but not make one */
  refsLocked?: boolean;
}
