/**
 * The cost of the zone key per message (docs/ha.md "Trust"): a ZoneGuard
 * seals a message as the node publishes it and opens it as a node receives
 * it (src/zone/guard.ts, AES-256-GCM in Node's crypto). Three sizes of the
 * zone's messages: a node status (readable, signed), a check state and a
 * config of 1,000 checks (both encrypted). Figures: CPU time per message,
 * seal + open, on this machine; the bytes a message grows by. The broker's
 * work does not change (the same messages, ~50 bytes longer).
 * Run: node --import tsx bench/zone-seal.ts
 */
import { performance } from 'node:perf_hooks';
import { ZoneGuard } from '../src/zone/guard.ts';
import { parseKeys } from '../src/zone/seal.ts';
import { emit, figure, median, round } from './lib/report.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const parsed = parseKeys('bench-key-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa');
if ('error' in parsed) throw new Error(parsed.error);
const sender = new ZoneGuard({ base: 'siteward/zone/hq/', node: 'hq-1', keys: parsed.keys, now: Date.now });
const receiver = new ZoneGuard({ base: 'siteward/zone/hq/', node: 'hq-2', keys: parsed.keys, now: Date.now });

const status = Buffer.from(
  JSON.stringify({ node: 'hq-1', state: 'up', heartbeat: 10, version: '0.1.0', checks: 340, config: { rev: 12, hash: 'x'.repeat(22), node: 'hq-2' } }),
);
const state = Buffer.from(
  JSON.stringify({ v: 1, node: 'hq-1', state: 'PASS', level: 'ok', at: Date.now(), log: Array.from({ length: 10 }, (_, i) => `line ${i} ${'x'.repeat(80)}`) }),
);
const checks = Object.fromEntries(
  Array.from({ length: 1000 }, (_, i) => [`web ${i}`, { type: 'https', trigger: { interval: { minutes: 1 } }, options: { hostname: `host${i}.example.net` } }]),
);
const config = Buffer.from(JSON.stringify({ v: 1, rev: 7, node: 'hq-1', hash: 'h', parent: '', at: Date.now(), renamed: [], doc: { checks } }));

function perMessage(topic: string, body: Buffer, n: number): { us: number; grows: number } {
  let grows = 0;
  const times: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const wire = sender.seal(topic, body) as Buffer;
      grows = wire.length - body.length;
      if (receiver.open(topic, wire) === null) throw new Error('not opened');
    }
    times.push(((performance.now() - t0) * 1000) / n);
  }
  return { us: median(times), grows };
}

const s = perMessage('siteward/zone/hq/node/hq-1', status, 20_000);
const c = perMessage('siteward/zone/hq/state/web%201', state, 20_000);
const k = perMessage('siteward/zone/hq/config', config, 200);
const rejected = receiver.trust().rejected;
if (Object.values(rejected).some((x) => x > 0)) throw new Error(`rejected: ${JSON.stringify(rejected)}`);

emit(
  'zone-seal',
  [
    figure({
      key: 'seal_status_us',
      figure: 'zone key: node status sealed + opened',
      target: 'report',
      value: round(s.us, 1),
      unit: 'µs',
      better: 'lower',
      limit: null,
    }),
    figure({
      key: 'seal_state_us',
      figure: 'zone key: check state (1 kB) sealed + opened',
      target: 'report',
      value: round(c.us, 1),
      unit: 'µs',
      better: 'lower',
      limit: null,
    }),
    figure({
      key: 'seal_config_us',
      figure: 'zone key: config of 1,000 checks sealed + opened',
      target: 'report',
      value: round(k.us, 0),
      unit: 'µs',
      better: 'lower',
      limit: null,
    }),
  ],
  { bytes: { status: status.length, state: state.length, config: config.length }, grows: { status: s.grows, state: c.grows, config: k.grows }, rounds: ROUNDS },
);
