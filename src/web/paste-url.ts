/**
 * A URL pasted into a check form's host name field,
 * `https://host:port/path?query`, fills the fields it stands for: host name,
 * port, TLS and request path (those the check type has). views/static/app.js
 * does the same in the browser as the URL is pasted; this is the server's
 * side, so a form posted without script means the same.
 */
import type { FormValues } from './form-values.ts';

const URLISH = /^[a-z][a-z0-9+.-]*:\/\//i;

/** The form fields a URL stands for (input name → value), or null when `text` is not a URL. */
export function urlFields(text: string, prefix: string, has: (key: string) => boolean): Record<string, string> | null {
  const t = text.trim();
  if (!URLISH.test(t)) return null;
  let u: URL;
  try {
    u = new URL(t);
  } catch {
    return null;
  }
  if (!u.hostname) return null;
  const out: Record<string, string> = { [`${prefix}hostname`]: u.hostname.replace(/^\[(.*)\]$/, '$1') };
  const secure = u.protocol === 'https:';
  if (has('port')) out[`${prefix}port`] = u.port;
  if (has('tls') && (secure || u.protocol === 'http:')) out[`${prefix}tls`] = secure ? 'on' : '';
  if (has('reqPath')) out[`${prefix}reqPath`] = `${u.pathname || '/'}${u.search}`;
  return out;
}

/** A check name from a host name field: the host, with the port when one is given. */
export function nameFromHost(host: string, port: string): string {
  const h = host.includes(':') ? `[${host}]` : host;
  return port ? `${h}:${port}` : host;
}

/** `form` with some values replaced (a checkbox set to '' is unticked). */
export function overlay(form: FormValues, values: Record<string, string>): FormValues {
  const unticked = (k: string): boolean => Object.hasOwn(values, k) && values[k] === '';
  return {
    get: (k) => (Object.hasOwn(values, k) ? values[k] : form.get(k)),
    all: (k) => (Object.hasOwn(values, k) ? (values[k] === '' ? [] : [values[k]]) : form.all(k)),
    has: (k) => (unticked(k) ? false : Object.hasOwn(values, k) || form.has(k)),
    keys: () => [...new Set([...form.keys(), ...Object.keys(values)])].filter((k) => !unticked(k)),
  };
}
