/**
 * One `browser` run on the shared Chromium (./pool.ts): load the page, do
 * the steps, and on failure save a screenshot. Runs in the browser worker
 * (./worker.ts), so Playwright never blocks the engine's event loop.
 */
import { rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Page } from 'playwright-core';
import type { Metric, Outcome } from '../types.ts';
import { abortReason, detailLine } from '../shared/errors.ts';
import { fixed } from '../shared/format.ts';
import { abortable, browserPool, type Lease } from './pool.ts';
import { describeStep, doStep, type ResolvedStep } from './steps.ts';
import { hostOf } from './host.ts';
import { ensureDir, prune, shotFile } from './shots.ts';

/** A screenshot of a failed run may take this long (after the run has reported). */
const SHOT_TIMEOUT_MS = 5000;

/** What a run needs; plain data, as it crosses to the worker. Secrets in steps are resolved already. */
export interface PageJob {
  url: string;
  waitUntil: 'load' | 'domcontentloaded' | 'networkidle';
  steps: ResolvedStep[];
  selfsigned: boolean;
  screenshot: boolean;
  /** the check's name (names its screenshot) */
  name: string;
  /** the site folder (screenshots go below it) */
  base: string;
  /** the run's timeout in ms (the run's abort decides; Playwright's waits end a second later) */
  timeoutMs: number;
}

/** A page that loaded with an error status. */
class PageError extends Error {
  override name = 'HTTPError';
}

/** Chromium's network errors as the names the other checks use (fletchck's Python classes). */
const NET_NAMES: Record<string, string> = {
  ERR_CONNECTION_REFUSED: 'ConnectionRefusedError',
  ERR_CONNECTION_RESET: 'ConnectionResetError',
  ERR_NAME_NOT_RESOLVED: 'gaierror',
  ERR_CONNECTION_TIMED_OUT: 'TimeoutError',
  ERR_TIMED_OUT: 'TimeoutError',
  ERR_ADDRESS_UNREACHABLE: 'OSError',
};

/** `<name>: <message>` of a failure, Playwright's call log and method prefix dropped; `certificate` when Chromium refused one. */
export function describeFailure(e: unknown): { name: string; message: string; certificate: boolean } {
  const first = (e instanceof Error ? e.message : String(e)).split('\n')[0].replace(/^[A-Za-z]+\.[A-Za-z]+: /, '');
  const net = /net::(ERR_[A-Z_]+)/.exec(first)?.[1];
  if (net?.startsWith('ERR_CERT_')) return { name: 'SSLCertVerificationError', message: first, certificate: true };
  if (net) return { name: NET_NAMES[net] ?? 'BrowserError', message: first, certificate: false };
  return { name: e instanceof Error && e.name !== 'Error' ? e.name : 'BrowserError', message: first, certificate: false };
}

export async function runPage(job: PageJob, signal: AbortSignal): Promise<Outcome> {
  const host = hostOf(job.url);
  const started = performance.now();
  const left = (): number => Math.max(1, job.timeoutMs - (performance.now() - started) + 1000);
  const log: string[] = [];
  const metrics: Metric[] = [];
  let lease: Lease | undefined;
  let page: Page | undefined;
  let at: string | null = null;
  let keep = false;
  try {
    lease = await browserPool.acquire(signal, { ignoreHTTPSErrors: job.selfsigned });
    page = await abortable(lease.context.newPage(), signal);
    const t0 = performance.now();
    const res = await abortable(page.goto(job.url, { waitUntil: job.waitUntil, timeout: left() }), signal);
    const load = (performance.now() - t0) / 1000;
    metrics.push({ name: 'load_time', value: Math.round(load * 1000) / 1000, unit: 's', min: 0 });
    const status = res?.status() ?? 0;
    log.push(`${job.url}: HTTP ${status}, loaded in ${fixed(load, 2)} s`);
    if (status >= 400) throw new PageError(`the page answered HTTP ${status}`);
    for (const [i, s] of job.steps.entries()) {
      at = `step ${i + 1} (${describeStep(s)})`;
      await abortable(doStep(page, s, left()), signal);
    }
    // from the request for the page to the last step (the wait for the browser left out)
    metrics.push({ name: 'response_time', value: Math.round(performance.now() - t0) / 1000, unit: 's', min: 0 });
    return { fail: false, log, level: `${fixed(load, 2)} s`, metrics };
  } catch (e) {
    const f = signal.aborted ? describeFailure(abortReason(signal)) : describeFailure(e);
    const where = at && !(e instanceof PageError) ? ` (at ${at})` : '';
    log.push(detailLine(host, Object.assign(new Error(`${f.message}${where}`), { name: f.name })));
    if (lease && page && job.screenshot) {
      const file = shotFile(job.name);
      log.push(`screenshot: ${file}`);
      keep = true;
      void screenshot(page, job.base, file).finally(() => lease?.release());
    }
    const load = metrics.find((m) => m.name === 'load_time');
    return { fail: true, log, level: load ? `${fixed(load.value, 2)} s` : null, softFail: f.certificate && !signal.aborted ? 'certificate' : null, metrics };
  } finally {
    if (!keep) await lease?.release();
  }
}

/**
 * Saves the page as it is now (after the run reported), then prunes the
 * folder. Written beside and renamed into place, so whoever reads the
 * file (the check page, a person) sees the previous screenshot or the
 * whole new one, never half a PNG. Never throws.
 */
async function screenshot(page: Page, base: string, file: string): Promise<void> {
  const path = join(base, file);
  const part = `${path}.part`;
  try {
    await ensureDir(base);
    await writeFile(part, await page.screenshot({ timeout: SHOT_TIMEOUT_MS }));
    await rename(part, path);
    await prune(base);
  } catch {
    // the page went away meanwhile: no screenshot this time
    await unlink(part).catch(() => undefined);
  }
}
