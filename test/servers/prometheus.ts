/**
 * A real Prometheus (Debian `prometheus`, toolchain.md §8.3) as a
 * remote-write receiver on 127.0.0.1 with an OS-chosen port and a temp data
 * folder; `query()` asks its HTTP API what arrived.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, HOST, spawnDaemon, tempDir, waitForLog, type Daemon } from './common.ts';

export const PROMETHEUS = '/usr/bin/prometheus';

export interface PromSeries {
  metric: Record<string, string>;
  value: [number, string];
}

export interface Prometheus {
  port: number;
  /** the remote-write URL */
  writeUrl: string;
  daemon: Daemon;
  /** an instant query: the series and their values */
  query(q: string): Promise<PromSeries[]>;
  stop(): Promise<void>;
}

/** Starts Prometheus on `port` (default: one the OS picks). */
export async function startPrometheus(port?: number): Promise<Prometheus> {
  const { dir, cleanup } = tempDir('swprom-');
  const p = port ?? (await freePort());
  const cfg = join(dir, 'prometheus.yml');
  writeFileSync(cfg, 'global:\n  scrape_interval: 1m\n');
  const daemon = spawnDaemon('prometheus', dir, PROMETHEUS, [
    `--config.file=${cfg}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=${HOST}:${p}`,
    '--web.enable-remote-write-receiver',
  ]);
  try {
    await waitForLog(daemon, 'Server is ready to receive web requests', 60_000);
  } catch (e) {
    await daemon.stop();
    cleanup();
    throw e;
  }
  const base = `http://${HOST}:${p}`;
  return {
    port: p,
    writeUrl: `${base}/api/v1/write`,
    daemon,
    query: async (q) => {
      const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(q)}`);
      const body = (await res.json()) as { status: string; data?: { result: PromSeries[] }; error?: string };
      if (body.status !== 'success') throw new Error(`query ${q}: ${body.error ?? res.status}`);
      return body.data!.result;
    },
    stop: async () => {
      await daemon.stop();
      cleanup();
    },
  };
}
