/**
 * What the Chromium tests share (toolchain.md §4): starting the browser with
 * its one set of flags, watching pages for console errors, CSP reports and
 * page errors, signing in through the login form, and axe-core's serious and
 * critical findings. One place, so a flag or a sign-in step changes once.
 */
import { expect } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { closeOrKill } from '../helpers/teardown.ts';

export const CHROMIUM = '/usr/bin/chromium';
/** Screenshots of the e2e tests (never committed). */
export const SHOTS = join(process.cwd(), 'test-artifacts', 'e2e');

/** Chromium's flags for a headless run on a shared machine: no sandbox, no GPU, no network of its own. */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Closes a browser or a context in a teardown: past 30 s, the Chromium this worker started is killed (teardown never hangs). */
export function closeBrowser(target: { close(): Promise<unknown> } | null | undefined): Promise<void> {
  return closeOrKill(target, CHROMIUM);
}

export interface LaunchOptions {
  viewport: { width: number; height: number };
  colorScheme?: 'light' | 'dark';
}

/** A persistent Chromium context in `profile`; self-signed certificates are accepted (a person accepts the warning once). */
export function launchChromium(profile: string, o: LaunchOptions): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    ignoreHTTPSErrors: true,
    viewport: o.viewport,
    ...(o.colorScheme ? { colorScheme: o.colorScheme } : {}),
    args: ARGS,
  });
}

/** A Chromium browser with the same flags, for a test that opens several contexts (users, themes) side by side. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}

export interface WatchOptions {
  /** accept every dialog (confirm() on delete buttons) */
  acceptDialogs?: boolean;
  /** name the page's address in a page error */
  withUrl?: boolean;
}

/** Collects console errors, CSP reports and page errors into `problems` (a test ends with `expect(problems).toEqual([])`). */
export function watchPage(p: Page, problems: string[], o: WatchOptions = {}): void {
  p.on('console', (m) => {
    if (m.type() === 'error' || /Content.Security.Policy/i.test(m.text())) problems.push(`console ${m.type()}: ${m.text()}`);
  });
  p.on('pageerror', (e) => problems.push(o.withUrl ? `page error on ${p.url()}: ${e.message} ${e.stack ?? ''}` : `page error: ${e.message}`));
  if (o.acceptDialogs) p.on('dialog', (d) => void d.accept());
}

/** Fills the sign-in form on the page as it is (the login page) and submits it. */
export async function submitSignIn(page: Page, user: string, password: string): Promise<void> {
  await page.fill('#username', user);
  await page.fill('#password', password);
  await page.click('button[type=submit]');
}

/** Signs in through /login and waits for the home page. */
export async function signIn(page: Page, base: string, user: string, password: string): Promise<void> {
  await page.goto(`${base}/login`);
  await submitSignIn(page, user, password);
  await page.waitForURL(`${base}/`);
}

/** Signs in on the login page the browser was sent to, and waits to leave it (for the page that asked). */
export async function signInHere(page: Page, user: string, password: string): Promise<void> {
  await submitSignIn(page, user, password);
  await page.waitForURL((u) => u.pathname !== '/login');
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical findings on the page as it is now. */
export async function axeFindings(page: Page): Promise<string[]> {
  // evaluated through the DevTools protocol, not a <script>: the page's CSP stays as it is
  await page.evaluate(AXE);
  const r: { passes: number; bad: string[] } = await page.evaluate(`axe.run(document).then((r) => ({ passes: r.passes.length, bad: r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')) }))`);
  // axe really looked (colour contrast, names, roles, …)
  expect(r.passes).toBeGreaterThan(10);
  return r.bad;
}
