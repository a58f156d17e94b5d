/**
 * `--merge` (spec §2.6 JSON, §2.7 CSV): fold a partial site into the site file
 * before loading. Pure functions over documents; the CLI reads and saves.
 * Fixes: a CSV `timezone` column lands in `options.timezone` (where it is
 * read) instead of crashing, and an invalid trigger is reported, not dropped.
 */
import { lazyRequire } from '../util/lazy.ts';

/** csv-parse, loaded by the first CSV import: `siteward` starts without it (docs/performance.md) */
const csv = lazyRequire<typeof import('csv-parse/sync')>('csv-parse/sync');
import { checkType } from '../checks/catalog.ts';
import { normaliseHost } from '../util/host.ts';
import { parseTriggerText } from './trigger.ts';
import { nameProblem, PROTOTYPE_KEYS } from './names.ts';
import { isObject } from '../util/guard.ts';

type Obj = Record<string, unknown>;

export interface MergeResult {
  doc: Obj;
  changed: boolean;
  messages: string[];
}

export function mergeJson(target: Obj, imp: Obj): MergeResult {
  const doc: Obj = { ...target };
  const messages: string[] = [];
  let changed = false;
  if ('timezone' in imp) {
    doc.timezone = imp.timezone;
    changed = true;
  }
  if (isObject(imp.webui)) {
    const webui: Obj = { ...(isObject(doc.webui) ? doc.webui : {}) };
    for (const [k, v] of Object.entries(imp.webui)) {
      if (k !== 'users') {
        webui[k] = v;
        continue;
      }
      const users: Obj = { ...(isObject(webui.users) ? webui.users : {}) };
      for (const [u, hash] of Object.entries(isObject(v) ? v : {})) {
        if (u === 'admin' && 'admin' in users) {
          messages.push('Admin user not updated');
          continue;
        }
        users[u] = hash;
      }
      webui.users = users;
    }
    doc.webui = webui;
    changed = true;
  }
  if ('mqtt' in imp) {
    doc.mqtt = isObject(imp.mqtt) ? { ...(isObject(doc.mqtt) ? doc.mqtt : {}), ...imp.mqtt } : imp.mqtt;
    changed = true;
  }
  if (isObject(imp.actions)) {
    const actions: Obj = { ...(isObject(doc.actions) ? doc.actions : {}) };
    for (const [name, a] of Object.entries(imp.actions)) {
      if (!isObject(a)) continue;
      const bad = nameProblem(name);
      if (bad) {
        messages.push(`Ignored action ${JSON.stringify(name)}: ${bad}`);
        continue;
      }
      const old = isObject(actions[name]) ? (actions[name] as Obj) : {};
      const options = { ...(isObject(old.options) ? old.options : {}), ...(isObject(a.options) ? a.options : {}) };
      actions[name] = { ...old, ...('type' in a ? { type: a.type } : {}), options };
      changed = true;
    }
    doc.actions = actions;
  }
  if (isObject(imp.checks)) {
    const checks: Obj = { ...(isObject(doc.checks) ? doc.checks : {}) };
    const inseqs: [string, unknown][] = [];
    for (const [name, c] of Object.entries(imp.checks)) {
      if (!isObject(c)) continue;
      const bad = nameProblem(name);
      if (bad) {
        messages.push(`Ignored check ${JSON.stringify(name)}: ${bad}`);
        continue;
      }
      const merged: Obj = { ...(isObject(checks[name]) ? (checks[name] as Obj) : {}) };
      // a prototype key would replace the object's prototype here instead of being a key
      for (const [k, v] of Object.entries(c)) if (k !== 'data' && k !== 'inseq' && !PROTOTYPE_KEYS.has(k)) merged[k] = v;
      checks[name] = merged;
      if (c.inseq !== undefined) inseqs.push([name, c.inseq]);
      changed = true;
    }
    for (const [name, inseq] of inseqs) {
      for (const seq of Array.isArray(inseq) ? inseq : []) {
        const s = checks[String(seq)];
        if (!isObject(s) || s.type !== 'sequence') {
          messages.push(`Ignored invalid sequence ${JSON.stringify(seq)} for ${name}`);
          continue;
        }
        const opts = isObject(s.options) ? s.options : {};
        const members = Array.isArray(opts.checks) ? (opts.checks as unknown[]) : [];
        if (!members.includes(name)) checks[String(seq)] = { ...s, options: { ...opts, checks: [...members, name] } };
      }
    }
    doc.checks = checks;
  }
  if (!changed) messages.push('No updates imported');
  return { doc, changed, messages };
}

const TOP_LEVEL = new Set(['trigger', 'paused', 'threshold', 'retries', 'priority', 'failAction', 'passAction', 'publish', 'remoteId']);
const BOOLS = new Set(['paused', 'failAction', 'passAction', 'tls', 'selfsigned', 'reqTcp']);
const INTS = new Set(['threshold', 'retries', 'priority', 'port', 'level', 'timeout', 'temperature', 'hysteresis']);
const LISTS = new Set(['depends', 'actions', 'inseq']);

/** fletchck's boolean parser for CSV cells (spec §2.7). */
export function csvBool(v: string): boolean {
  const s = v.trim().toLowerCase();
  if (['f', '0', 'false', 'no', 'null', 'none', ''].includes(s)) return false;
  return true;
}

/** Turns a check CSV into an import document; rows it cannot use are reported. */
export function csvToImport(text: string): { doc: Obj; messages: string[] } {
  const rows = csv().parse(text, { skip_empty_lines: true, trim: true, relax_column_count: true }) as string[][];
  const header = rows.shift() ?? [];
  if (!header.includes('name') || !header.includes('checkType')) {
    throw new Error('the CSV header must contain the columns name and checkType');
  }
  const checks: Obj = {};
  const messages: string[] = [];
  rows.forEach((row, r) => {
    const line = r + 2;
    const cell: Obj = {};
    header.forEach((h, i) => {
      if (row[i] !== undefined && row[i] !== '') cell[h] = row[i];
    });
    const name = String(cell.name ?? '');
    const type = String(cell.checkType ?? '');
    const badName = nameProblem(name);
    if (badName || !checkType(type)) {
      messages.push(`line ${line}: skipped (${badName ?? `unknown check type ${JSON.stringify(type)}`})`);
      return;
    }
    const check: Obj = { type };
    const options: Obj = {};
    for (const [col, raw] of Object.entries(cell)) {
      if (col === 'name' || col === 'checkType') continue;
      if (PROTOTYPE_KEYS.has(col)) {
        messages.push(`line ${line}: column ${JSON.stringify(col)} is reserved; ignored`);
        continue;
      }
      const v = String(raw);
      let value: unknown = v;
      if (BOOLS.has(col)) value = csvBool(v);
      else if (INTS.has(col)) {
        if (!/^-?\d+$/.test(v)) {
          messages.push(`line ${line}: ${col} ${JSON.stringify(v)} is not a whole number; ignored`);
          continue;
        }
        value = Number(v);
      } else if (col === 'hostname') value = normaliseHost(v);
      else if (col === 'trigger') {
        const t = parseTriggerText(v);
        if (!t.ok) {
          messages.push(`line ${line}: trigger ${JSON.stringify(v)}: ${t.error}; the check is imported without a schedule`);
          continue;
        }
        value = t.trigger;
      }
      if (LISTS.has(col))
        check[col] = v
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean);
      else if (col === 'checks')
        options.checks = v
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean);
      else if (col === 'timezone') options.timezone = v;
      else if (TOP_LEVEL.has(col)) check[col] = value;
      else options[col] = value;
    }
    check.options = options;
    checks[name] = check;
  });
  return { doc: { checks }, messages };
}
