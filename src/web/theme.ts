/**
 * Light, dark or the system's choice (issue 22): the cookie app.js writes and
 * the server reads, so the first paint is already right (no inline script: the
 * CSP forbids it). `html()` in src/web/render.tsx provides the request's theme
 * to every page; views/theme.tsx reads it.
 */
import { createContext } from 'hono/jsx';

export type Theme = 'light' | 'dark' | null;

/** Not httpOnly: app.js sets it; it holds nothing but "light" or "dark". */
export const THEME_COOKIE = 'sw-theme';

export const ThemeContext = createContext<Theme>(null);

/** The theme a cookie value asks for; anything else means "follow the system". */
export function themeOf(cookie: string | undefined): Theme {
  return cookie === 'light' || cookie === 'dark' ? cookie : null;
}
