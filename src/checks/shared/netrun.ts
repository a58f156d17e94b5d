/**
 * The frame every network check runs in: it times the dialogue, turns any
 * error into fletchck's detail line `<host> <ErrorName>: <message>` (spec
 * §4.0), labels certificate failures with the soft-fail `certificate` (spec
 * §3.4), and reports the certificate's days left as `level` and as metrics.
 * The body sets `passed` where fletchck decides the pass; an error after that
 * point is logged but does not undo it (smtp's NOOP/QUIT, spec §4.2).
 */
import { performance } from 'node:perf_hooks';
import type { Metric, Outcome } from '../types.ts';
import { detailLine } from './errors.ts';
import { CertificateError, type TlsSession } from './tls.ts';
import type { CertSummary } from './cert-summary.ts';

export interface NetRun {
  log: string[];
  /** Whole days the server's certificate has left, once it was read. */
  days: number | null;
  /** The server's certificate, once it was read (the check page's certificate panel). */
  cert: CertSummary | null;
  /** Records a TLS session's certificate: its days left and its summary. */
  seen(s: Pick<TlsSession, 'days' | 'cert'>): void;
  readonly passed: boolean;
  /** Marks the pass decision (and the end of the measured response time). */
  pass(): void;
}

/** Metric names, stable for dashboards and the /metrics endpoint. */
export const METRIC_RESPONSE = 'response_time';
export const METRIC_CERT_DAYS = 'cert_days_left';

function isAbort(e: unknown): boolean {
  return e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
}

/**
 * Runs `body` and builds the Outcome. Never throws. The response time is the
 * wall time from the first connect to the pass decision (or the failure); it
 * is left out when the run was cut short by its timeout, where it only
 * measures the timeout.
 */
export async function netRun(subject: string, body: (r: NetRun) => Promise<void>): Promise<Outcome> {
  const started = performance.now();
  let elapsed: number | null = null;
  let passed = false;
  const r: NetRun = {
    log: [],
    days: null,
    cert: null,
    seen(s) {
      r.days = s.days;
      r.cert = s.cert;
    },
    get passed() {
      return passed;
    },
    pass() {
      if (passed) return;
      passed = true;
      elapsed = performance.now() - started;
    },
  };
  let softFail: string | null = null;
  try {
    await body(r);
    elapsed ??= performance.now() - started;
  } catch (e) {
    if (elapsed === null && !isAbort(e)) elapsed = performance.now() - started;
    if (e instanceof CertificateError) {
      softFail = 'certificate';
      if (e.days !== null) r.days = e.days;
      if (e.cert) r.cert = e.cert;
    }
    r.log.push(detailLine(subject, e));
  }
  const metrics: Metric[] = [];
  if (elapsed !== null) metrics.push({ name: METRIC_RESPONSE, value: Math.round(elapsed) / 1000, unit: 's', min: 0 });
  if (r.days !== null) metrics.push({ name: METRIC_CERT_DAYS, value: r.days, unit: 'd' });
  return {
    fail: !passed,
    log: r.log,
    level: r.days === null ? null : `${r.days} days`,
    softFail: passed ? null : softFail,
    metrics,
    ...(r.cert ? { cert: r.cert } : {}),
  };
}
