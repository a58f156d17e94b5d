/**
 * Small building blocks shared by every page and partial: icons, URLs, the
 * CSRF field, the page context. All text goes through JSX, which escapes it.
 */
import type { Child } from 'hono/jsx';
import type { Assets } from '../src/web/view-data.ts';

export { actionUrl, checkUrl, enc, userUrl, type PageCtx } from '../src/web/view-data.ts';

/**
 * An icon of views/static/icons.svg: one empty element, drawn by CSS (a mask
 * over the text colour; src/web/assets.ts iconCss). Decorative unless labelled.
 * `assets` is kept for the callers: the icons travel in the page's stylesheet.
 */
export function Icon(p: { name: string; assets: Assets; label?: string }): Child {
  return p.label ? <span class={`i i-${p.name}`} role="img" aria-label={p.label} /> : <span class={`i i-${p.name}`} aria-hidden="true" />;
}

export function Csrf(p: { token: string }): Child {
  return <input type="hidden" name="_csrf" value={p.token} />;
}

export function ErrorList(p: { errors: readonly string[]; title?: string }): Child {
  if (p.errors.length === 0) return null;
  return (
    <div class="errors" role="alert">
      <strong>{p.title ?? 'Please fix the following:'}</strong>
      <ul>
        {p.errors.map((e) => (
          <li>{e}</li>
        ))}
      </ul>
    </div>
  );
}

/** htmx attributes whose names contain ':' are passed as an object (JSX cannot spell them). */
export function hx(attrs: Record<string, string>): Record<string, string> {
  return attrs;
}
