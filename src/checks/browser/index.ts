/**
 * `browser` — a real Chromium loads a page, optionally fills, clicks and
 * waits for text, and reports how long the page took to load (siteward;
 * Uptime Kuma's "real browser" monitor). The browser is shared and bounded
 * (./pool.ts); a failed run saves a screenshot in the site folder
 * (./shots.ts). Admin only: the browser runs on this host and reaches what
 * the host reaches.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import type { Page } from 'playwright-core';
import { defineCheck, type Metric } from '../types.ts';
import { commonCheckOptions } from '../../config/schema.ts';
import { timeoutOption } from '../shared/net-options.ts';
import { abortReason, detailLine } from '../shared/errors.ts';
import { fixed } from '../shared/format.ts';
import { abortable, browserPool, type Lease } from './pool.ts';
import { describeStep, doStep, Steps } from './steps.ts';
import { ensureDir, prune, shotFile } from './shots.ts';

const DEFAULT_TIMEOUT = 30;
/** A screenshot of a failed run may take this long (after the run has reported). */
const SHOT_TIMEOUT_MS = 5000;

export const BrowserOptions = z.looseObject({
  ...commonCheckOptions,
  url: z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL' }).max(2000).describe('the page loaded'),
  timeout: timeoutOption(DEFAULT_TIMEOUT),
  waitUntil: z.enum(['load', 'domcontentloaded', 'networkidle']).default('load')
    .describe('when the page counts as loaded: load (the load event), domcontentloaded, or networkidle (no requests for 0.5 s)'),
  steps: Steps.default([]),
  selfsigned: z.boolean().default(false).describe('accept any certificate (no verification)'),
  screenshot: z.boolean().default(true).describe('save a screenshot of the page when a run fails (screenshots/ in the site folder)'),
});

/** A page that loaded with an error status. */
class PageError extends Error {
  override name = 'HTTPError';
}

/** Chromium's network errors as the names the other checks use (fletchck's Python classes). */
const NET_NAMES: Record<string, string> = {
  ERR_CONNECTION_REFUSED: 'ConnectionRefusedError', ERR_CONNECTION_RESET: 'ConnectionResetError', ERR_NAME_NOT_RESOLVED: 'gaierror',
  ERR_CONNECTION_TIMED_OUT: 'TimeoutError', ERR_TIMED_OUT: 'TimeoutError', ERR_ADDRESS_UNREACHABLE: 'OSError',
};

/** `<name>: <message>` of a failure, Playwright's call log and method prefix dropped; `certificate` when Chromium refused one. */
export function describeFailure(e: unknown): { name: string; message: string; certificate: boolean } {
  const first = (e instanceof Error ? e.message : String(e)).split('\n')[0].replace(/^[A-Za-z]+\.[A-Za-z]+: /, '');
  const net = /net::(ERR_[A-Z_]+)/.exec(first)?.[1];
  if (net?.startsWith('ERR_CERT_')) return { name: 'SSLCertVerificationError', message: first, certificate: true };
  if (net) return { name: NET_NAMES[net] ?? 'BrowserError', message: first, certificate: false };
  return { name: e instanceof Error && e.name !== 'Error' ? e.name : 'BrowserError', message: first, certificate: false };
}

export const browser = defineCheck({
  type: 'browser',
  info: {
    summary: 'A real Chromium loads a page, optionally fills, clicks and waits for text; load time, screenshot on failure.',
    pass: 'the page loads with a status below 400 and every step succeeds within the timeout.',
  },
  adminOnly: 'runs a browser on this host',
  options: BrowserOptions,
  defaultTimeout: DEFAULT_TIMEOUT,
  async run(o, ctx) {
    const host = new URL(o.url).hostname.replace(/^\[|\]$/g, '');
    const started = performance.now();
    const timeoutMs = (o.timeout ?? DEFAULT_TIMEOUT) * 1000;
    // Playwright's own waits end a second after the run's timeout: the run's abort decides
    const left = (): number => Math.max(1, timeoutMs - (performance.now() - started) + 1000);
    const log: string[] = [];
    const metrics: Metric[] = [];
    let lease: Lease | undefined;
    let page: Page | undefined;
    let at = 'loading the page';
    let keep = false;
    try {
      lease = await browserPool.acquire(ctx.signal, { ignoreHTTPSErrors: o.selfsigned });
      page = await abortable(lease.context.newPage(), ctx.signal);
      const t0 = performance.now();
      const res = await abortable(page.goto(o.url, { waitUntil: o.waitUntil, timeout: left() }), ctx.signal);
      const load = (performance.now() - t0) / 1000;
      metrics.push({ name: 'load_time', value: Math.round(load * 1000) / 1000, unit: 's', min: 0 });
      const status = res?.status() ?? 0;
      log.push(`${o.url}: HTTP ${status}, loaded in ${fixed(load, 2)} s`);
      if (status >= 400) throw new PageError(`the page answered HTTP ${status}`);
      for (const [i, s] of o.steps.entries()) {
        at = `step ${i + 1} (${describeStep(s)})`;
        await abortable(doStep(page, s, left(), ctx.env.base), ctx.signal);
      }
      metrics.push({ name: 'response_time', value: Math.round(performance.now() - started) / 1000, unit: 's', min: 0 });
      return { fail: false, log, level: `${fixed(load, 2)} s`, metrics };
    } catch (e) {
      const f = ctx.signal.aborted ? { ...describeFailure(abortReason(ctx.signal)), certificate: false } : describeFailure(e);
      log.push(detailLine(host, Object.assign(new Error(`${f.message}${at === 'loading the page' || e instanceof PageError ? '' : ` (at ${at})`}`), { name: f.name })));
      if (lease && page && o.screenshot) {
        const file = shotFile(ctx.check.config.name);
        log.push(`screenshot: ${file}`);
        keep = true;
        void screenshot(page, ctx.env.base, file).finally(() => lease?.release());
      }
      const load = metrics.find((m) => m.name === 'load_time');
      return { fail: true, log, level: load ? `${fixed(load.value, 2)} s` : null, softFail: f.certificate ? 'certificate' : null, metrics };
    } finally {
      if (!keep) await lease?.release();
    }
  },
});

/** Saves the page as it is now (after the run reported), then prunes the folder. Never throws. */
async function screenshot(page: Page, base: string, file: string): Promise<void> {
  try {
    await ensureDir(base);
    await page.screenshot({ path: join(base, file), timeout: SHOT_TIMEOUT_MS });
    await prune(base);
  } catch {
    // the page went away meanwhile: no screenshot this time
  }
}
