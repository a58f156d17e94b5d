/**
 * A form as the UI holds it between a request and a page: values by input
 * name and errors. A leaf module: routes, form readers and views (through
 * view-data.ts) share it.
 */

/** A form's submitted (or stored) values and its errors. */
export interface FormState {
  /** submitted (or stored) values by input name: one string, or several */
  values: Record<string, string | string[]>;
  /** error text by input name */
  errors: Record<string, string>;
  /** errors not tied to one field */
  general: string[];
}

export const emptyForm = (): FormState => ({ values: {}, errors: {}, general: [] });

export function fieldId(name: string): string {
  return `f-${name.replace(/[^A-Za-z0-9_-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`)}`;
}

export function one(s: FormState, name: string): string {
  const v = s.values[name];
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
}

export function many(s: FormState, name: string): string[] {
  const v = s.values[name];
  return v === undefined ? [] : Array.isArray(v) ? v : v.split(/\r?\n/).filter((x) => x !== '');
}
