/**
 * Generates a site with N checks for benchmarks: a realistic mix of triggers
 * (intervals and cron), sequences of 10, dependencies and options.
 */
export interface CheckSpec {
  type: string;
  options: Record<string, unknown>;
}

/** The default mix: local checks only (disk, memory, cpu). */
export const localMix = (i: number): CheckSpec =>
  i % 3 === 0
    ? { type: 'disk', options: { volume: '/', level: 95 } }
    : i % 3 === 1
      ? { type: 'memory', options: { level: 95 } }
      : { type: 'cpu', options: { level: 99 } };

/**
 * A mix with network checks against local servers: TCP connects, verified
 * TLS handshakes and the three local types, a fifth each.
 */
export function networkMix(servers: { tcp: number; tls: number; caFile: string }): (i: number) => CheckSpec {
  return (i) => {
    switch (i % 5) {
      case 0:
        return { type: 'tcp', options: { hostname: '127.0.0.1', port: servers.tcp } };
      case 1:
        return { type: 'tcp', options: { hostname: 'localhost', port: servers.tls, tls: true, ca: servers.caFile } };
      default:
        return localMix(i);
    }
  };
}

export function generateSite(n: number, opts: { checkType?: (i: number) => CheckSpec; jitter?: number } = {}): Record<string, unknown> {
  const checks: Record<string, unknown> = {};
  const type = opts.checkType ?? localMix;
  for (let i = 0; i < n; i++) {
    const t = type(i);
    checks[`check-${i}`] = {
      type: t.type,
      trigger: i % 4 === 0 ? { cron: { minute: `*/${1 + (i % 5)}` } } : { interval: { seconds: 60 + (i % 120) } },
      threshold: 1 + (i % 3),
      priority: i,
      options: t.options,
      depends: i % 10 === 5 ? [`check-${i - 5}`] : [],
    };
  }
  for (let s = 0; s < n / 100; s++) {
    checks[`seq-${s}`] = { type: 'sequence', options: { checks: Array.from({ length: 10 }, (_, k) => `check-${s * 100 + k}`) } };
  }
  return { scheduler: { jitter: opts.jitter ?? 0 }, webui: null, actions: {}, checks };
}
