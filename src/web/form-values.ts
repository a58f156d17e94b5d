/**
 * A submitted form as the routes read it: single values and repeated values
 * by input name (check boxes, multi-line lists).
 */

export interface FormValues {
  get(name: string): string | undefined;
  all(name: string): string[];
  has(name: string): boolean;
  keys(): string[];
}

export function formValues(body: Record<string, string | File | (string | File)[]>): FormValues {
  const list = (name: string): string[] => {
    const v = body[name];
    if (v === undefined) return [];
    return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
  };
  return {
    get: (name) => list(name)[0],
    all: list,
    has: (name) => Object.hasOwn(body, name),
    keys: () => Object.keys(body),
  };
}

/** Splits a list field: one item per line, or repeated fields (check boxes); blanks dropped. */
export function listValue(form: FormValues, name: string): string[] {
  return form
    .all(name)
    .flatMap((v) => v.split(/\r?\n/))
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
