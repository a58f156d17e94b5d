/**
 * Crash safety of the outbox with the real program: the built CLI
 * (`node dist/bin/siteward.js`, run `npm run build` first) is SIGKILLed with a
 * notification pending, restarted, and the deliveries at a real HTTPS
 * receiver are counted.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { PROJECT_ROOT } from '../../src/version.ts';
import { freePort, tempDir } from '../servers/common.ts';
import { loopbackCert } from '../servers/loopback-cert.ts';
import { startReceiver } from '../servers/http-receiver.ts';

const CLI = join(PROJECT_ROOT, 'dist', 'bin', 'siteward.js');
let dir: string;
let cleanup: () => void;
let caFile: string;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('sw-crash-'));
  caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, (await loopbackCert()).cert);
});
afterAll(() => cleanup());

interface Row {
  uid: string;
  /** the id the receiver gets (outbox/delivery-id.ts) */
  sentId: string;
  status: string;
  attempts: number;
  inflight: number | null;
}

/** The outbox rows as another process sees them (the WAL makes commits visible at once). */
function rows(db: string): Row[] {
  if (!existsSync(db)) return [];
  try {
    const d = new Database(db, { readonly: true, fileMustExist: true });
    try {
      return d.prepare("SELECT uid, json_extract(payload, '$.id') AS sentId, status, attempts, inflight FROM outbox ORDER BY id").all() as Row[];
    } finally {
      d.close();
    }
  } catch {
    return []; // not created or not migrated yet
  }
}

function runs(db: string): number {
  const d = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return (d.prepare('SELECT COUNT(*) AS n FROM runs').get() as { n: number }).n;
  } finally {
    d.close();
  }
}

/** Waits for a condition; the limit is generous: each step starts a process, slow on a loaded machine. */
async function until(what: string, ok: () => boolean, ms = 90_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function site(name: string, port: number): { config: string; db: string } {
  const config = join(dir, `${name}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      webui: { name: 'HQ' },
      scheduler: { jitter: 0 },
      notifications: { backoff: 1, backoffMax: 1 },
      actions: { hook: { type: 'webhook', options: { url: `https://127.0.0.1:${port}/hook` } } },
      // a sequence without members passes: its first run is the FAIL → PASS transition (spec §3.2)
      checks: { seq: { type: 'sequence', trigger: { interval: { seconds: 1 } }, options: { checks: [] }, actions: ['hook'] } },
    }),
  );
  return { config, db: join(dir, `${name}.db`) };
}

function start(config: string): ChildProcess & { stderrText: () => string } {
  const p = spawn(process.execPath, [CLI, `--config=${config}`, '--webui=false', '--logging=warning'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    // the receiver's self-signed certificate is trusted the standard Node way
    env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile },
  });
  let err = '';
  p.stderr!.setEncoding('utf8');
  p.stderr!.on('data', (d: string) => (err += d));
  return Object.assign(p, { stderrText: () => err });
}

async function kill(p: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = once(p, 'exit');
  p.kill(signal);
  await exited;
}

describe('outbox crash safety (built CLI, SIGKILL)', () => {
  it('the built CLI exists (run `npm run build`; `npm test` does)', () => {
    expect(existsSync(CLI)).toBe(true);
  });

  it('a notification pending at SIGKILL is delivered after restart, exactly once', async () => {
    const { cert, key } = await loopbackCert();
    const port = await freePort(); // nothing listens yet: the receiver is down
    const s = site('pending', port);
    const p1 = start(s.config);
    try {
      await until('a failed first attempt', () => rows(s.db).some((r) => r.status === 'pending' && r.attempts >= 1));
    } finally {
      await kill(p1, 'SIGKILL');
    }
    expect(p1.signalCode).toBe('SIGKILL');
    expect(rows(s.db)).toHaveLength(1);

    const rx = await startReceiver({ tls: { cert, key }, port });
    const p2 = start(s.config);
    try {
      await until('delivery', () => rows(s.db)[0]?.status === 'sent');
      await kill(p2, 'SIGTERM');
      expect(p2.exitCode).toBe(0);
      // and a third run finds nothing left to send (its outbox starts before its first check run)
      const before = runs(s.db);
      const p3 = start(s.config);
      await until('a check run of the third process', () => runs(s.db) > before);
      await kill(p3, 'SIGTERM');
      expect(rx.requests).toHaveLength(1);
      const body = JSON.parse(rx.requests[0].body) as { id: string; kind: string; check: { name: string; state: string } };
      expect(body).toMatchObject({ kind: 'transition', check: { name: 'seq', state: 'PASS' } });
      const r = rows(s.db);
      expect(r).toHaveLength(1);
      // the id the receiver got is the one the row holds (each retry and the restart send the same)
      expect(r[0]).toMatchObject({ sentId: body.id, status: 'sent', inflight: null });
      expect(r[0].attempts).toBeGreaterThanOrEqual(2);
    } finally {
      await kill(p2, 'SIGKILL');
      await rx.close();
    }
  }, 300_000);

  it('killed while the receiver holds the request: sent again after restart with the same id (at-least-once)', async () => {
    const { cert, key } = await loopbackCert();
    const rx = await startReceiver({ tls: { cert, key } });
    rx.replies.push({ status: 200, delayMs: 60_000 }); // accepted, but the answer never comes back in time
    const s = site('inflight', rx.port);
    const p1 = start(s.config);
    try {
      await rx.waitFor(1);
      await until('the in-flight mark', () => rows(s.db)[0]?.inflight !== null && rows(s.db).length === 1);
    } finally {
      await kill(p1, 'SIGKILL');
    }
    const p2 = start(s.config);
    try {
      await until('delivery', () => rows(s.db)[0]?.status === 'sent');
      await kill(p2, 'SIGTERM');
      expect(rx.requests).toHaveLength(2);
      const [a, b] = rx.requests.map((r) => (JSON.parse(r.body) as { id: string }).id);
      expect(b).toBe(a);
      expect(p2.stderrText()).toContain('may arrive twice');
    } finally {
      await kill(p2, 'SIGKILL');
      await rx.close();
    }
  }, 300_000);
});
