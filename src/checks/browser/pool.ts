/**
 * The one Chromium every `browser` check shares. playwright-core is loaded
 * and the browser launched on the first run that needs it; at most
 * `MAX_PAGES` runs use it at once (the others wait their turn, within their
 * own timeout); each run gets a fresh context (no cookies or storage shared
 * between checks); and the browser is closed once nothing used it for
 * `IDLE_MS`, so a site whose browser checks run hourly does not keep
 * Chromium's memory all hour.
 */
import { accessSync, constants } from 'node:fs';
import type { Browser, BrowserContext } from 'playwright-core';
import { abortReason } from '../shared/errors.ts';

/** Pages open at once across the whole process: Chromium is heavy, the host may have two cores. */
export const MAX_PAGES = 2;
/** The browser closes after this long without a run. */
export const IDLE_MS = 60_000;
/** Where Chromium is looked for, unless SITEWARD_CHROMIUM names it. */
export const CHROMIUM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** Flags for a headless Chromium in a server or container (see test/e2e/webui.test.ts). */
function launchArgs(): string[] {
  const args = [
    '--headless',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ];
  // Chromium refuses to start its sandbox as root
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  return args;
}

/** No Chromium on this host. */
export class NoBrowser extends Error {
  override name = 'FileNotFoundError';
}

export function findChromium(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = env.SITEWARD_CHROMIUM ? [env.SITEWARD_CHROMIUM] : CHROMIUM_PATHS;
  for (const p of candidates) {
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  throw new NoBrowser(`no Chromium at ${candidates.join(', ')} (install the chromium package or set SITEWARD_CHROMIUM)`);
}

export interface Lease {
  context: BrowserContext;
  /** Closes the context and gives the slot back. */
  release(): Promise<void>;
}

export interface PoolStats {
  /** browsers launched so far */
  launches: number;
  /** whether a browser is running now */
  running: boolean;
  /** runs holding a page now, and the most at once so far */
  active: number;
  peak: number;
  waiting: number;
}

/** Rejects with the abort reason when `signal` fires first. */
export function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e as Error);
      },
    );
  });
}

export class BrowserPool {
  private browser: Promise<Browser> | null = null;
  private active = 0;
  private peak = 0;
  private launches = 0;
  private readonly queue: (() => void)[] = [];
  private idle: NodeJS.Timeout | null = null;
  /** Called when the browser was closed for being idle (the worker then ends). */
  onIdleClose: (() => void) | null = null;

  constructor(private readonly o: { maxPages: number; idleMs: number } = { maxPages: MAX_PAGES, idleMs: IDLE_MS }) {}

  stats(): PoolStats {
    return { launches: this.launches, running: this.browser !== null, active: this.active, peak: this.peak, waiting: this.queue.length };
  }

  /** A fresh context on the shared browser, once a slot is free. */
  async acquire(signal: AbortSignal, o: { ignoreHTTPSErrors: boolean }): Promise<Lease> {
    await this.slot(signal);
    let context: BrowserContext;
    try {
      const browser = await abortable(this.launch(), signal);
      const making = browser.newContext({ ignoreHTTPSErrors: o.ignoreHTTPSErrors, viewport: { width: 1280, height: 720 } });
      // a context finished after the run gave up is closed, not left open
      making
        .then(
          async (c) => {
            if (signal.aborted) await c.close();
          },
          () => undefined,
        )
        .catch(() => undefined);
      context = await abortable(making, signal);
    } catch (e) {
      this.free();
      throw e;
    }
    let released = false;
    return {
      context,
      release: async () => {
        if (released) return;
        released = true;
        await context.close().catch(() => undefined);
        this.free();
      },
    };
  }

  /** Closes the browser now (shutdown, tests). */
  async close(): Promise<void> {
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
    const b = this.browser;
    this.browser = null;
    if (b) await b.then((x) => x.close()).catch(() => undefined);
  }

  private slot(signal: AbortSignal): Promise<void> {
    if (this.idle) {
      clearTimeout(this.idle);
      this.idle = null;
    }
    if (this.active < this.o.maxPages) {
      this.take();
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const go = (): void => {
        signal.removeEventListener('abort', onAbort);
        this.take();
        resolve();
      };
      const onAbort = (): void => {
        const i = this.queue.indexOf(go);
        if (i >= 0) this.queue.splice(i, 1);
        reject(abortReason(signal));
      };
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      this.queue.push(go);
    });
  }

  private take(): void {
    this.active++;
    this.peak = Math.max(this.peak, this.active);
  }

  private free(): void {
    this.active--;
    const next = this.queue.shift();
    if (next) {
      next();
      return;
    }
    if (this.active === 0) {
      this.idle = setTimeout(() => {
        void this.close().then(() => this.onIdleClose?.());
      }, this.o.idleMs);
      this.idle.unref();
    }
  }

  /** The running browser, launched (once) when there is none or it died. */
  private launch(): Promise<Browser> {
    if (!this.browser) {
      const launching = (async () => {
        const executablePath = findChromium();
        const { chromium } = await import('playwright-core');
        this.launches++;
        const b = await chromium.launch({ executablePath, headless: true, args: launchArgs() });
        b.on('disconnected', () => {
          if (this.browser === launching) this.browser = null;
        });
        return b;
      })();
      this.browser = launching;
      launching.catch(() => {
        if (this.browser === launching) this.browser = null;
      });
    }
    return this.browser;
  }
}

/** The process's one browser. */
export const browserPool = new BrowserPool();
