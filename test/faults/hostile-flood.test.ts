/**
 * Issue 9, fault suite: a server that answers with 100 MB as fast as the
 * client reads — a protocol-plausible stream that never ends (an endless
 * multi-line SMTP greeting, endless IMAP untagged responses, an endless
 * WebSocket message…) — against every network check type in the registry.
 * Every run ends by its timeout and keeps a bounded amount of memory (live
 * heap + buffers after GC, sampled during the run, and the RSS peak).
 */
import { describe, it, expect } from 'vitest';
import { connect } from 'node:net';
import { once } from 'node:events';
import { missingFixtures, networkCases, runHostile, TIMEOUT_S } from './hostile-harness.ts';
import { measure, mb, MB } from './meter.ts';
import { startHostile, FLOOD_TOTAL } from '../servers/hostile.ts';
import { HOST } from '../servers/common.ts';

/** Generous bounds: a check that keeps what a flood sends exceeds them by far. */
const LIVE_BOUND = 64 * MB;
const RSS_BOUND = 128 * MB;
/** The log of a run is stored, published and shown: a flood must not end up in it. */
const LOG_BOUND = 16 * 1024;

describe('hostile servers: a 100 MB flood', () => {
  it('every registered check type has a hostile fixture (or says why it opens no connection)', () => {
    expect(missingFixtures()).toEqual([]);
    expect(networkCases().length).toBeGreaterThan(0);
  });

  it('control: the meter sees a reader that keeps everything it reads', async () => {
    const server = await startHostile({
      transport: 'tcp',
      starts: 'server',
      script: { kind: 'flood', prefix: Buffer.alloc(0), unit: Buffer.alloc(1024, 0x41) },
    });
    try {
      const { value, use } = await measure(async () => {
        const kept: Buffer[] = [];
        const sock = connect(server.port, HOST);
        sock.on('data', (d: Buffer) => kept.push(d));
        await once(sock, 'close');
        return kept.reduce((a, b) => a + b.length, 0);
      });
      expect(value).toBeGreaterThanOrEqual(FLOOD_TOTAL);
      expect(use.livePeak, `live peak ${mb(use.livePeak)}`).toBeGreaterThan(LIVE_BOUND);
    } finally {
      await server.close();
    }
  }, 60_000);

  for (const n of networkCases()) {
    it(`${n.label}: ends by its timeout with bounded memory`, async () => {
      const { result, use, sent } = await runHostile(n, 'flood');
      const { outcome, elapsed } = result;
      const facts = `sent ${mb(sent)}, live peak ${mb(use.livePeak)}, RSS peak ${mb(use.rssPeak)}, log ${JSON.stringify(outcome.log).slice(0, 300)}`;
      expect(elapsed, facts).toBeLessThan(TIMEOUT_S.flood * 1000 + 1000);
      expect(use.livePeak, facts).toBeLessThan(LIVE_BOUND);
      expect(use.rssPeak, facts).toBeLessThan(RSS_BOUND);
      expect(outcome.fail, facts).toBe(!n.c.floodPasses);
      expect(outcome.log.length, facts).toBeGreaterThan(0);
      for (const line of outcome.log) expect(typeof line).toBe('string');
      expect(outcome.log.join('\n').length, facts).toBeLessThan(LOG_BOUND);
    }, 30_000);
  }
});
