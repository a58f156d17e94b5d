/**
 * Reading forms out of the web UI's HTML as a browser would submit them:
 * hidden fields, current values, ticked check boxes, selected options and
 * text areas. The fault tests post these (edited) back.
 */
import type { FormBody } from '../web/helpers.ts';

const unescape = (v: string): string =>
  v
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The form whose start tag contains `marker` (e.g. `id="check-form"` or `action="/config"`), without `_csrf`. */
export function formFields(html: string, marker: string): FormBody {
  const at = html.indexOf(marker);
  if (at < 0) throw new Error(`no form with ${marker}`);
  const start = html.lastIndexOf('<form', at);
  const form = html.slice(start, html.indexOf('</form>', at));
  const out: Record<string, string[]> = {};
  const add = (k: string, v: string): void => {
    (out[k] ??= []).push(unescape(v));
  };
  for (const m of form.matchAll(/<input ([^>]*)\/?>/g)) {
    const attrs = m[1];
    const name = /name="([^"]*)"/.exec(attrs)?.[1];
    if (!name || name === '_csrf') continue;
    if (/type="(checkbox|radio)"/.test(attrs) && !/checked=""/.test(attrs)) continue;
    add(name, /value="([^"]*)"/.exec(attrs)?.[1] ?? (/type="(checkbox|radio)"/.test(attrs) ? 'on' : ''));
  }
  for (const m of form.matchAll(/<select [^>]*name="([^"]*)"[^>]*>([\s\S]*?)<\/select>/g)) {
    for (const o of m[2].matchAll(/<option value="([^"]*)" selected=""/g)) add(m[1], o[1]);
  }
  for (const m of form.matchAll(/<textarea [^>]*name="([^"]*)"[^>]*>([\s\S]*?)<\/textarea>/g)) add(m[1], m[2]);
  return out;
}

/** The text of a page without tags, entities decoded (for "does the user see X"). */
export function visibleText(html: string): string {
  return unescape(html.replace(/<script[\s\S]*?<\/script>/g, '').replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');
}
