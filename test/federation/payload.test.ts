/**
 * The fletchck wire format (spec §7.3, §7.4, §10): golden payloads exactly as
 * fletchck sends them are accepted; every rejection has its reason; what
 * siteward sends passes fletchck's own validation rules.
 */
import { describe, it, expect } from 'vitest';
import { decodeMessage, encodePayload, encodeState, type Decoded, type EncodeInput } from '../../src/federation/payload.ts';
import { initialState, type CheckState } from '../../src/engine/state.ts';
import { fletchckAccepts, fletchckWouldCrash } from './fletchck-rules.ts';

const LIMIT = { maxBytes: 256 * 1024 };
const dec = (s: string | Buffer): Decoded => decodeMessage(Buffer.isBuffer(s) ? s : Buffer.from(s, 'utf8'), LIMIT);

/**
 * Payloads in the exact bytes fletchck (Python json.dumps: ", "/": "
 * separators, ensure_ascii escapes) publishes, written from spec §7.3.
 */
const GOLDEN: { name: string; wire: string; expect: Record<string, unknown> }[] = [
  {
    name: 'a passing disk check, ISO times with microseconds and a +10:30 offset (1.1.5)',
    wire: '{"name": "root", "type": "disk", "data": {"threshold": 1, "failState": false, "failCount": 0, "log": ["/: 23% 8.1/35.0GB, 27.0GB Free, Target: 90%"], "softFail": null, "lastCheck": "2026-11-22T19:58:17.895594+10:30", "lastFail": null, "lastPass": "2026-11-22T19:20:02.000012+10:30", "level": " 23%"}}',
    expect: {
      name: 'root',
      type: 'disk',
      data: {
        failState: false,
        failCount: 0,
        threshold: 1,
        level: ' 23%',
        softFail: null,
        lastCheck: Date.UTC(2026, 10, 22, 9, 28, 17, 895),
        lastFail: null,
        lastPass: Date.UTC(2026, 10, 22, 8, 50, 2, 0),
        log: ['/: 23% 8.1/35.0GB, 27.0GB Free, Target: 90%'],
      },
    },
  },
  {
    name: 'a failing sequence: failState is the failing members string',
    wire: '{"name": "self-check", "type": "sequence", "data": {"threshold": 1, "failState": "ram,load", "failCount": 3, "log": ["ram (memory): FAIL", "Memory: 91.2% 7.3/8.0GB, 0.7GB Free, Target: 85%", "", "load (cpu): FAIL", "CPU:  88% (avg 1.76 / 2), Target: 80%", "", "root (disk): PASS  23%"], "softFail": null, "lastCheck": "2026-11-22T09:28:17.895594+00:00", "lastFail": "2026-11-22T09:26:17+00:00", "lastPass": null, "level": null}}',
    expect: {
      name: 'self-check',
      type: 'sequence',
      data: { failState: 'ram,load', failCount: 3, lastFail: Date.UTC(2026, 10, 22, 9, 26, 17), lastPass: null },
    },
  },
  {
    name: 'a soft-failed https check (certificate label, retries, threshold 2)',
    wire: '{"name": "web", "type": "https", "data": {"threshold": 2, "failState": true, "failCount": 5, "log": ["Retry 2/2", "example.org SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired (_ssl.c:1000)", "Failed after 2 tries"], "softFail": "certificate", "lastCheck": "2026-11-22T09:28:17.895594+00:00", "lastFail": "2026-11-22T08:28:17.895594+00:00", "lastPass": "2026-11-01T00:00:00+00:00", "level": null}}',
    expect: { name: 'web', type: 'https', data: { failState: true, failCount: 5, threshold: 2, softFail: 'certificate' } },
  },
  {
    name: 'a dependency soft fail (failState true, failCount 0)',
    wire: '{"name":"mail","type":"smtp","data":{"threshold":1,"failState":true,"failCount":0,"log":["SOFTFAIL (depends=gateway)"],"softFail":"gateway","lastCheck":"2026-11-22T09:28:17+00:00","lastFail":null,"lastPass":null,"level":null}}',
    expect: { name: 'mail', data: { failState: true, failCount: 0, softFail: 'gateway', log: ['SOFTFAIL (depends=gateway)'] } },
  },
  {
    name: 'legacy display-format times from a fletchck before 1.1.5 (spec §3.8)',
    wire: '{"name": "gw", "type": "ssh", "data": {"threshold": 1, "failState": false, "failCount": 0, "log": [], "softFail": null, "lastCheck": "14 Jan 2026 15:34 AEDT", "lastFail": "13 Jan 2026 09:02 ACST", "lastPass": "22 Nov 2025 19:58 AWST", "level": null}}',
    expect: { data: { lastCheck: Date.UTC(2026, 0, 14, 4, 34), lastFail: Date.UTC(2026, 0, 12, 23, 32), lastPass: Date.UTC(2025, 10, 22, 11, 58) } },
  },
  {
    name: 'more legacy zones: AEST, ACDT, UTC',
    wire: '{"name": "x", "type": "ups", "data": {"threshold": 1, "failState": false, "failCount": 0, "log": [], "softFail": null, "lastCheck": "02 Jul 2025 08:00 AEST", "lastFail": "22 Nov 2026 19:58 ACDT", "lastPass": "01 Jan 2026 00:00 UTC", "level": null}}',
    expect: { data: { lastCheck: Date.UTC(2025, 6, 1, 22, 0), lastFail: Date.UTC(2026, 10, 22, 9, 28), lastPass: Date.UTC(2026, 0, 1) } },
  },
  {
    name: 'a sender before 1.0.6: no level key; non-ASCII escaped by json.dumps',
    wire: '{"name": "temp \\ud83d\\udc36", "type": "temp", "data": {"threshold": 1, "failState": false, "failCount": 0, "log": ["Temperature: 23.4\\u00b0C"], "softFail": null, "lastCheck": null, "lastFail": null, "lastPass": null}}',
    expect: { name: 'temp 🐶', data: { level: null, log: ['Temperature: 23.4°C'], lastCheck: null } },
  },
  {
    name: 'a passing state may carry null counters',
    wire: '{"name": "n", "type": "cert", "data": {"threshold": null, "failState": false, "failCount": null, "log": [], "softFail": null, "lastCheck": null, "lastFail": null, "lastPass": null, "level": null}}',
    expect: { data: { threshold: null, failCount: null, failState: false } },
  },
];

describe('golden fletchck payloads are accepted (spec §7.3, §10)', () => {
  for (const g of GOLDEN) {
    it(g.name, () => {
      expect(fletchckAccepts(Buffer.from(g.wire))).toBe('accepted');
      const m = dec(g.wire);
      expect(m).toMatchObject({ ok: true, instance: null, ...g.expect });
    });
  }
});

const BASE = { threshold: 1, failState: false, failCount: 0, log: [], softFail: null, lastCheck: null, lastFail: null, lastPass: null, level: null };
const msg = (data: Record<string, unknown>, top: Record<string, unknown> = {}): string =>
  JSON.stringify({ name: 'c', type: 'disk', data: { ...BASE, ...data }, ...top });
const without = (k: string): string => {
  const d: Record<string, unknown> = { ...BASE };
  delete d[k];
  return JSON.stringify({ name: 'c', type: 'disk', data: d });
};

describe('UTF-8 (spec §7.4)', () => {
  it('a leading byte order mark is dropped, as a UTF-8 decoder does', () => {
    const plain = dec(msg({ log: ['Grüße ✓'] }));
    const withBom = dec(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(msg({ log: ['Grüße ✓'] }))]));
    expect(plain.ok).toBe(true);
    expect(withBom).toEqual(plain);
  });

  it('an encoded surrogate, an overlong form and a cut sequence are not UTF-8', () => {
    for (const bad of [
      [0xed, 0xa0, 0x80],
      [0xc0, 0xaf],
      [0xe2, 0x82],
    ]) {
      const wire = Buffer.concat([Buffer.from('{"name": "'), Buffer.from(bad), Buffer.from('"}')]);
      expect(dec(wire)).toMatchObject({ ok: false, reason: 'not-utf8' });
    }
  });
});

describe('rejections (spec §7.4): each with a reason, none throws', () => {
  const cases: { name: string; wire: string | Buffer; reason: string }[] = [
    { name: 'larger than the limit', wire: msg({ log: ['x'.repeat(300 * 1024)] }), reason: 'too-large' },
    { name: 'invalid UTF-8', wire: Buffer.concat([Buffer.from('{"name": "'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]), reason: 'not-utf8' },
    { name: 'not JSON', wire: '{"name": ', reason: 'invalid-json' },
    { name: 'empty after whitespace', wire: '   ', reason: 'invalid-json' },
    { name: 'a JSON list', wire: '[1, 2]', reason: 'not-object' },
    { name: 'JSON null', wire: 'null', reason: 'not-object' },
    { name: 'deeply nested lists', wire: `${'['.repeat(50_000)}${']'.repeat(50_000)}`, reason: 'not-object' },
    { name: 'no name', wire: JSON.stringify({ type: 'disk', data: BASE }), reason: 'bad-name' },
    { name: 'a numeric name', wire: JSON.stringify({ name: 5, type: 'disk', data: BASE }), reason: 'bad-name' },
    { name: 'an empty name', wire: JSON.stringify({ name: '', type: 'disk', data: BASE }), reason: 'bad-name' },
    { name: 'a name with a control character', wire: JSON.stringify({ name: 'a\nb', type: 'disk', data: BASE }), reason: 'bad-name' },
    { name: 'no type', wire: JSON.stringify({ name: 'c', data: BASE }), reason: 'malformed' },
    { name: 'a numeric type', wire: JSON.stringify({ name: 'c', type: 1, data: BASE }), reason: 'malformed' },
    { name: 'no data', wire: JSON.stringify({ name: 'c', type: 'disk' }), reason: 'malformed' },
    { name: 'empty data', wire: JSON.stringify({ name: 'c', type: 'disk', data: {} }), reason: 'malformed' },
    { name: 'data is a list', wire: JSON.stringify({ name: 'c', type: 'disk', data: [1] }), reason: 'malformed' },
    ...['threshold', 'failCount', 'softFail', 'lastCheck', 'lastFail', 'lastPass', 'failState', 'log'].map((k) => ({
      name: `"${k}" missing`,
      wire: without(k),
      reason: 'invalid-data',
    })),
    { name: 'failCount a string', wire: msg({ failCount: '1' }), reason: 'invalid-data' },
    { name: 'threshold a float', wire: msg({ threshold: 1.5 }), reason: 'invalid-data' },
    { name: 'threshold beyond a safe integer', wire: msg({ threshold: 2 ** 60 }), reason: 'invalid-data' },
    { name: 'softFail a number', wire: msg({ softFail: 5 }), reason: 'invalid-data' },
    { name: 'lastPass an object', wire: msg({ lastPass: {} }), reason: 'invalid-data' },
    { name: 'level a number', wire: msg({ level: 3 }), reason: 'invalid-data' },
    { name: 'log a string', wire: msg({ log: 'x' }), reason: 'invalid-data' },
    { name: 'failState null (siteward: only bool or string)', wire: msg({ failState: null }), reason: 'invalid-data' },
    { name: 'failState a number', wire: msg({ failState: 1 }), reason: 'invalid-data' },
    { name: 'failing with a null failCount (crashes fletchck)', wire: msg({ failState: true, failCount: null }), reason: 'invalid-data' },
    { name: 'failing with a null threshold (crashes fletchck)', wire: msg({ failState: 'a,b', threshold: null }), reason: 'invalid-data' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const m = dec(c.wire);
      expect(m.ok).toBe(false);
      if (!m.ok) {
        expect(m.reason).toBe(c.reason);
        expect(m.detail.length).toBeGreaterThan(5);
      }
    });
  }

  it('the name of a rejected message is reported when usable (its topic is recorded, spec §7.4 step 3)', () => {
    expect(dec(msg({ failCount: 'x' }))).toMatchObject({ ok: false, name: 'c' });
  });

  it('the null-counter crash cases are exactly those fletchck would crash on', () => {
    for (const w of [msg({ failState: true, failCount: null }), msg({ failState: 'a', threshold: null }), msg({ failState: false, failCount: null })]) {
      expect(dec(w).ok).toBe(!fletchckWouldCrash(Buffer.from(w)));
    }
  });
});

describe('accepted variations (spec §7.4)', () => {
  it.each([
    { name: 'booleans count as ints (Python)', wire: msg({ threshold: true, failCount: false }), data: { threshold: 1, failCount: 0 } },
    {
      name: 'an unparseable time becomes null',
      wire: msg({ lastCheck: 'soon', lastPass: '31 Feb 2026 10:00 UTC' }),
      data: { lastCheck: null, lastPass: null },
    },
    { name: 'non-string log items are shown as JSON', wire: msg({ log: ['a', 1, null, { b: [2] }] }), data: { log: ['a', '1', 'null', '{"b":[2]}'] } },
    { name: 'unknown keys are ignored', wire: msg({ extra: { deep: [[[[1]]]] } }, { more: true }), data: { failState: false } },
  ])('$name', ({ wire, data }) => {
    expect(dec(wire)).toMatchObject({ ok: true, data });
  });

  it('takes the siteward instance field when it is a usable topic level, else ignores it', () => {
    expect(dec(msg({}, { instance: 'web-1' }))).toMatchObject({ ok: true, instance: 'web-1' });
    expect(dec(msg({}, { instance: 'a/b' }))).toMatchObject({ ok: true, instance: null });
    expect(dec(msg({}, { instance: 7 }))).toMatchObject({ ok: true, instance: null });
  });
});

const state = (o: Partial<CheckState>): CheckState => ({ ...initialState(), ...o });
const T = Date.UTC(2026, 10, 22, 9, 28, 17, 895);

describe('what siteward publishes (spec §7.3)', () => {
  it("has fletchck's keys in fletchck's order and ISO-8601 times with the check zone's offset", () => {
    const bytes = encodePayload({
      name: 'root',
      type: 'disk',
      threshold: 2,
      zone: 'Australia/Adelaide',
      state: state({ failState: false, failCount: 0, log: ['ok'], level: ' 9%', lastCheck: T, lastPass: Date.UTC(2026, 10, 22, 9, 20, 2), lastUpdate: T }),
    });
    expect(bytes.toString('utf8')).toBe(
      '{"name":"root","type":"disk","data":{"threshold":2,"failState":false,"failCount":0,"log":["ok"],"softFail":null,' +
        '"lastCheck":"2026-11-22T19:58:17.895000+10:30","lastFail":null,"lastPass":"2026-11-22T19:50:02+10:30","level":" 9%"}}',
    );
  });

  it('adds the instance as an extra top-level key only when given', () => {
    const i: EncodeInput = { name: 'a', type: 'cpu', threshold: 1, zone: null, state: initialState() };
    expect(encodeState(i).instance).toBeUndefined();
    expect(encodeState({ ...i, instance: 'agent-1' }).instance).toBe('agent-1');
  });

  const published: { name: string; input: EncodeInput }[] = [
    { name: 'a never-run check (initial FAIL, null times)', input: { name: 'new', type: 'disk', threshold: 1, zone: null, state: initialState() } },
    {
      name: 'a passing check',
      input: { name: 'p', type: 'memory', threshold: 1, zone: 'UTC', state: state({ failState: false, lastCheck: T, lastPass: T, level: ' 40%' }) },
    },
    {
      name: 'a confirmed failure',
      input: {
        name: 'f',
        type: 'cpu',
        threshold: 3,
        zone: 'Europe/Berlin',
        state: state({ failState: true, failCount: 4, lastCheck: T, lastFail: T, log: ['CPU: 99%'] }),
      },
    },
    {
      name: 'a failing sequence',
      input: { name: 's', type: 'sequence', threshold: 1, zone: 'UTC', state: state({ failState: 'ram,load', failCount: 1, log: ['ram (memory): FAIL', ''] }) },
    },
    { name: 'a passing sequence', input: { name: 's', type: 'sequence', threshold: 1, zone: 'UTC', state: state({ failState: '', failCount: 0 }) } },
    {
      name: 'a soft fail',
      input: { name: 'd', type: 'disk', threshold: 1, zone: 'UTC', state: state({ failState: true, softFail: 'gw', log: ['SOFTFAIL (depends=gw)'] }) },
    },
    { name: 'a paused check', input: { name: 'z', type: 'disk', threshold: 1, zone: 'UTC', state: state({ failState: false, log: ['PAUSED'] }) } },
    { name: 'with the instance field', input: { name: 'i', type: 'disk', threshold: 1, zone: 'UTC', instance: 'agent-1', state: state({ failState: false }) } },
  ];
  for (const p of published) {
    it(`${p.name}: fletchck accepts it and siteward reads back the same state`, () => {
      const bytes = encodePayload(p.input);
      expect(fletchckAccepts(bytes)).toBe('accepted');
      expect(fletchckWouldCrash(bytes)).toBe(false);
      const s = p.input.state;
      expect(dec(bytes)).toMatchObject({
        ok: true,
        name: p.input.name,
        type: p.input.type,
        instance: p.input.instance ?? null,
        data: {
          failState: s.failState,
          failCount: s.failCount,
          threshold: p.input.threshold,
          log: s.log,
          softFail: s.softFail,
          level: s.level,
          lastCheck: s.lastCheck,
          lastFail: s.lastFail,
          lastPass: s.lastPass,
        },
      });
    });
  }
});
