/**
 * Fuzz (fixes spec §7.4 [bug]: one bad payload killed fletchck's MQTT
 * thread): 10,000 random and mutated payloads through a real broker. Every
 * invalid one is rejected with the reason its construction guarantees,
 * counted and logged once; the valid ones in between are all applied, in
 * order; the service stays connected.
 */
import { it, expect, afterAll, beforeAll } from 'vitest';
import { startAedes, type AedesBroker } from '../servers/aedes.ts';
import { openSite, mqttSection, peer, captureLogger, until, type TestSite } from './helpers.ts';
import type { StateEvent } from '../../src/engine/state.ts';
import { rng } from '../helpers/rng.ts';

const N = 10_000;
const SEED = 0x5eed_f00d;
const MAX = 256 * 1024; // the default maxpayload

const rnd = rng(SEED);
const int = (n: number): number => Math.floor(rnd() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];

const DATA = {
  threshold: 1,
  failState: false,
  failCount: 0,
  log: ['ok'],
  softFail: null,
  lastCheck: '2026-11-22T09:28:17.895594+00:00',
  lastFail: null,
  lastPass: null,
  level: ' 9%',
};
const valid = (): Record<string, unknown> => ({ name: 'target', type: 'disk', data: { ...DATA } });
const WRONG: unknown[] = [[], {}, 1.5, 'text', true, null, [1, 2]];
const ascii = (n: number): string => Array.from({ length: n }, () => String.fromCharCode(32 + int(95))).join('');

type Case = { bytes: Buffer; reason: string | null; seq?: number; fail?: boolean };

/** Each generator returns bytes and the reason they are guaranteed to be rejected for. */
const invalid: (() => Case)[] = [
  // random bytes containing a byte that never occurs in UTF-8
  () => {
    const b = Buffer.from(Array.from({ length: 1 + int(500) }, () => int(256)));
    b[int(b.length)] = pick([0xff, 0xfe, 0xc0, 0xc1, 0xf8]);
    return { bytes: b, reason: 'not-utf8' };
  },
  // a valid payload with an invalid byte inside a string
  () => {
    const s = JSON.stringify(valid());
    const at = s.indexOf('ok');
    return { bytes: Buffer.concat([Buffer.from(s.slice(0, at)), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from(s.slice(at))]), reason: 'not-utf8' };
  },
  // truncated JSON (a proper prefix of an object is never JSON)
  () => {
    const s = JSON.stringify(valid());
    return { bytes: Buffer.from(s.slice(0, 1 + int(s.length - 2))), reason: 'invalid-json' };
  },
  // printable garbage that opens an object and never closes it
  () => ({ bytes: Buffer.from(`{"${ascii(int(200))}x`), reason: 'invalid-json' }),
  // JSON that is not an object, including very deep nesting
  () => {
    const d = 1 + int(100_000);
    return { bytes: Buffer.from(pick([`${'['.repeat(d)}${']'.repeat(d)}`, '42', '"target"', 'null', 'true', '[{"name":"target"}]'])), reason: 'not-object' };
  },
  // a bad name
  () => {
    const o = valid();
    const v = pick<unknown>([undefined, '', 7, null, ['target'], 'a\u0000b', 'x'.repeat(300)]);
    if (v === undefined) delete o.name;
    else o.name = v;
    return { bytes: Buffer.from(JSON.stringify(o)), reason: 'bad-name' };
  },
  // a bad type or data shape, including deep data
  () => {
    const o = valid();
    const d = 1 + int(50_000);
    const which = int(4);
    if (which === 0) delete o.type;
    else if (which === 1) o.type = pick<unknown>([3, null, '', {}]);
    else if (which === 2) o.data = pick<unknown>([{}, [], 'x', null, 0]);
    else return { bytes: Buffer.from(`{"name":"target","type":"disk","data":${'['.repeat(d)}${']'.repeat(d)}}`), reason: 'malformed' };
    return { bytes: Buffer.from(JSON.stringify(o)), reason: 'malformed' };
  },
  // data that fails validation: a missing key, a wrong type, deep nesting
  () => {
    const o = valid();
    const data = o.data as Record<string, unknown>;
    const key = pick(['threshold', 'failCount', 'softFail', 'lastCheck', 'lastFail', 'lastPass', 'level', 'failState', 'log']);
    const mode = int(3);
    if (mode === 0 && key !== 'level') delete data[key];
    else if (mode === 2) {
      const d = 1 + int(40_000); // 5 bytes a level: stays below the size limit
      return { bytes: Buffer.from(`{"name":"target","type":"disk","data":${'{"a":'.repeat(d)}1${'}'.repeat(d)}}`), reason: 'invalid-data' };
    } else {
      const bad = WRONG.filter((w) => {
        if (key === 'threshold' || key === 'failCount') return w !== null && w !== true;
        if (key === 'log') return !Array.isArray(w);
        if (key === 'failState') return typeof w !== 'boolean' && typeof w !== 'string';
        return w !== null && typeof w !== 'string';
      });
      data[key] = pick(bad);
    }
    return { bytes: Buffer.from(JSON.stringify(o)), reason: 'invalid-data' };
  },
  // a failing state with null counters (crashes fletchck)
  () => {
    const o = valid();
    const data = o.data as Record<string, unknown>;
    data.failState = pick<unknown>([true, 'a,b']);
    data[pick(['failCount', 'threshold'])] = null;
    return { bytes: Buffer.from(JSON.stringify(o)), reason: 'invalid-data' };
  },
  // a huge log
  () => {
    const o = valid();
    (o.data as Record<string, unknown>).log = [...Array.from({ length: int(1000) }, () => ascii(int(80))), ascii(MAX + int(65_536))];
    return { bytes: Buffer.from(JSON.stringify(o)), reason: 'too-large' };
  },
];

/** Huge payloads are rarer (memory), everything else equally likely. */
function anyInvalid(): Case {
  return rnd() < 0.01 ? invalid[invalid.length - 1]() : invalid[int(invalid.length - 1)]();
}

function generate(): Case[] {
  const out: Case[] = [];
  let seq = 0;
  let fail = false;
  for (let i = 0; i < N; i++) {
    if (i % 20 === 10 || i === N - 1) {
      // a valid update in between: its sequence number and a state that flips now and then
      seq++;
      if (rnd() < 0.3) fail = !fail;
      const o = valid();
      Object.assign(o.data as Record<string, unknown>, { log: [`seq ${seq}`], failState: fail, failCount: fail ? 1 : 0 });
      out.push({ bytes: Buffer.from(JSON.stringify(o)), reason: null, seq, fail });
    } else {
      out.push(anyInvalid());
    }
  }
  return out;
}

let broker: AedesBroker;
let t: TestSite;
const cap = captureLogger();
beforeAll(async () => {
  broker = await startAedes();
  t = await openSite(
    { mqtt: mqttSection(broker.port, { basetopic: 'fz/#', autoadd: false }), checks: { target: { type: 'remote', subType: 'disk' } } },
    { log: cap.log },
  );
  await until(() => t.fed.connected, 5000, 'connected');
});
afterAll(async () => {
  await t?.stop();
  await broker?.close();
});

it(
  `survives ${N} random and mutated payloads; rejects each invalid one with its reason; applies every valid one (seed ${SEED})`,
  async () => {
    const cases = generate();
    const transitions: StateEvent[] = [];
    t.site.bus.on('transition', (e) => {
      if (e.name === 'target') transitions.push(e.event);
    });
    const p = await peer(broker.port);
    const t0 = Date.now();
    // QoS 1: each PUBACK comes after the message was handled, so this also waits for the handling
    await Promise.all(cases.map((c, i) => p.publishAsync(`fz/${i % 7}`, c.bytes, { qos: 1 })));
    // sized by the count: ~2 ms a message idle, ten times that beside stress-ng (docs/faults.md)
    await expect.poll(() => t.fed.snapshot().applied + t.fed.snapshot().rejectedTotal, { timeout: N * 25, interval: 200 }).toBe(N);
    console.log(`fuzz: ${N} messages published and handled in ${Date.now() - t0} ms`);

    const want: Record<string, number> = {};
    for (const c of cases) if (c.reason) want[c.reason] = (want[c.reason] ?? 0) + 1;
    const validCases = cases.filter((c) => c.reason === null);
    const s = t.fed.snapshot();
    expect(s.rejected).toEqual(want);
    expect(s.rejectedTotal).toBe(N - validCases.length);
    expect(s.applied).toBe(validCases.length);
    // nothing else arrived but our own birth on the status topic
    expect(s.received).toBe(N + 1);
    expect(s.ignored).toEqual({ own: 1, cleared: 0 });
    // logged once each
    expect(cap.lines.filter((l) => typeof l.reason === 'string' && l.level === 40)).toHaveLength(s.rejectedTotal);

    // every valid update applied in order: the last one's log, and one transition per flip
    const last = validCases.at(-1)!;
    expect(t.site.state('target').log).toEqual([`seq ${last.seq}`]);
    let prev = true; // a new check starts in FAIL
    let flips = 0;
    for (const c of validCases) {
      if (c.fail !== prev) flips++;
      prev = c.fail!;
    }
    expect(transitions).toHaveLength(flips);
    expect(t.fed.connected).toBe(true);
    expect(s.disconnects).toBe(0);
    await p.endAsync();
  },
  N * 40,
);
