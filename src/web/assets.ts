/**
 * Static files: our CSS and script from views/static/ (the icons of
 * views/static/icons.svg drawn into the CSS, see iconCss), and htmx
 * (+ its SSE extension) straight from the htmx.org package. Each is served as
 * `/s/<stem>.<content hash>.<ext>` with a year of immutable caching and an
 * SRI hash for the tag; a changed file gets a new URL (spec §8.1 does the
 * same with `?v=`). Anything else under /s/ is 404.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Hono } from 'hono';
import { PROJECT_ROOT } from '../version.ts';
import type { WebEnv } from './context.ts';

export interface Asset {
  url: string;
  /** SRI value for integrity="" */
  integrity: string;
  type: string;
  body: Buffer;
}

export interface Assets {
  css: Asset;
  app: Asset;
  htmx: Asset;
  sse: Asset;
  byUrl: Map<string, Asset>;
}

const TYPES: Record<string, string> = {
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  svg: 'image/svg+xml',
};

function asset(stem: string, ext: string, body: Buffer): Asset {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return {
    url: `/s/${stem}.${hash}.${ext}`,
    integrity: `sha384-${createHash('sha384').update(body).digest('base64')}`,
    type: TYPES[ext] ?? 'application/octet-stream',
    body,
  };
}

export function staticDir(): string {
  return join(PROJECT_ROOT, 'views', 'static');
}

/**
 * The icons of the sprite as CSS: `.i-<name>` sets `--i` to the symbol as a
 * data: image, which `.i` (app.css) uses as a mask over currentColor. An icon
 * is then one empty element; an `<svg><use href="icons.svg#name">` was two,
 * plus a shadow copy of the symbol per use, and with two per row they were
 * ~40 % of Chromium's work on the checks page (docs/performance.md, issue 22).
 * icons.svg stays the one source (our own file: a symbol per icon).
 */
export function iconCss(sprite: string): string {
  let css = '\n/* icons, drawn from views/static/icons.svg by src/web/assets.ts */\n';
  let drawn = 0;
  for (const m of sprite.matchAll(/<symbol id="([a-z0-9-]+)" viewBox="([0-9. ]+)">([\s\S]*?)<\/symbol>/g)) {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${m[2]}">${m[3]}</svg>`;
    css += `.i-${m[1]} { --i: url("data:image/svg+xml,${encodeURIComponent(svg)}"); }\n`;
    drawn++;
  }
  // a symbol written in another form would silently get no class: say so when the assets load
  const symbols = sprite.split('<symbol').length - 1;
  if (drawn !== symbols) throw new Error(`icons.svg: ${symbols - drawn} of ${symbols} symbols not written as <symbol id="name" viewBox="…">…</symbol>`);
  return css;
}

let cached: Assets | null = null;

export function loadAssets(): Assets {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const read = (p: string): Buffer => readFileSync(p);
  const dir = staticDir();
  const a = {
    css: asset('app', 'css', Buffer.concat([read(join(dir, 'app.css')), Buffer.from(iconCss(read(join(dir, 'icons.svg')).toString('utf8')))])),
    app: asset('app', 'js', read(join(dir, 'app.js'))),
    htmx: asset('htmx', 'js', read(require.resolve('htmx.org/dist/htmx.min.js'))),
    sse: asset('hx-sse', 'js', read(require.resolve('htmx.org/dist/ext/hx-sse.min.js'))),
  };
  cached = { ...a, byUrl: new Map(Object.values(a).map((x) => [x.url, x])) };
  return cached;
}

export function staticRoutes(assets: Assets): Hono<WebEnv> {
  const r = new Hono<WebEnv>();
  r.get('/s/:file', (c) => {
    const a = assets.byUrl.get(new URL(c.req.url).pathname);
    if (!a) return c.text('not found', 404);
    return c.body(new Uint8Array(a.body), 200, {
      'Content-Type': a.type,
      'Cache-Control': 'public, max-age=31536000, immutable',
    });
  });
  return r;
}
