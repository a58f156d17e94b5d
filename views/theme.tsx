/**
 * Light, dark or the system's choice (issue 22). The choice lives in a
 * cookie that app.js writes and the server reads, so the first paint is
 * already right (no inline script: the CSP forbids it). `html()` in
 * src/web/render.tsx provides the request's theme to every page.
 */
import type { Child } from 'hono/jsx';
import { useContext } from 'hono/jsx';

import { ThemeContext } from '../src/web/view-data.ts';

export { THEME_COOKIE, ThemeContext, themeOf, type Theme } from '../src/web/view-data.ts';

/** The `data-theme` attribute of `<html>` for this request (none: the system decides). */
export function useTheme(): string | undefined {
  return useContext(ThemeContext) ?? undefined;
}

/** The theme picker in a page's header: a plain labelled select, so it works from the keyboard. */
export function ThemePick(): Child {
  const t = useContext(ThemeContext) ?? 'system';
  const opt = (v: string, text: string): Child => (
    <option value={v} selected={t === v}>
      {text}
    </option>
  );
  return (
    <label class="theme-pick">
      <span class="sr-only">Theme</span>
      <select data-theme-pick="" title="Theme">
        {opt('system', 'System theme')}
        {opt('light', 'Light')}
        {opt('dark', 'Dark')}
      </select>
    </label>
  );
}
