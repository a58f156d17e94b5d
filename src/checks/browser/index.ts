/**
 * `browser` — a real Chromium loads a page, optionally fills, clicks and
 * waits for text, and reports how long the page took to load (siteward;
 * Uptime Kuma's "real browser" monitor). The browser is shared and bounded
 * (./pool.ts) and driven from a worker thread (./worker.ts, ./client.ts), so
 * neither loading Playwright nor driving a page blocks the engine; a failed
 * run saves a screenshot in the site folder (./shots.ts). Admin only: the
 * browser runs on this host and reaches what the host reaches.
 */
import { z } from 'zod';
import { defineCheck } from '../types.ts';
import { commonCheckOptions } from '../../config/schema.ts';
import { timeoutOption } from '../shared/net-options.ts';
import { detailLine } from '../shared/errors.ts';
import { browserClient } from './client.ts';
import { hostOf } from './host.ts';
import { resolveSteps, Steps } from './steps.ts';

const DEFAULT_TIMEOUT = 30;

export const BrowserOptions = z.looseObject({
  ...commonCheckOptions,
  url: z
    .url({ protocol: /^https?$/, error: 'an http:// or https:// URL' })
    .max(2000)
    .describe('the page loaded'),
  timeout: timeoutOption(DEFAULT_TIMEOUT),
  waitUntil: z
    .enum(['load', 'domcontentloaded', 'networkidle'])
    .default('load')
    .describe('when the page counts as loaded: load (the load event), domcontentloaded, or networkidle (no requests for 0.5 s)'),
  steps: Steps.default([]),
  selfsigned: z.boolean().default(false).describe('accept any certificate (no verification)'),
  screenshot: z.boolean().default(true).describe('save a screenshot of the page when a run fails (screenshots/ in the site folder)'),
});

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
    let steps;
    try {
      // secrets are read here (a missing one fails before Chromium is touched)
      steps = await resolveSteps(o.steps, ctx.env.base);
    } catch (e) {
      return { fail: true, log: [detailLine(hostOf(o.url), e)] };
    }
    return browserClient.run(
      {
        url: o.url,
        waitUntil: o.waitUntil,
        steps,
        selfsigned: o.selfsigned,
        screenshot: o.screenshot,
        name: ctx.check.config.name,
        base: ctx.env.base,
        timeoutMs: (o.timeout ?? DEFAULT_TIMEOUT) * 1000,
      },
      ctx.signal,
    );
  },
});
