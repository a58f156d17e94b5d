/**
 * The `remoteWrite` key (docs/metrics.md): a bad value is named by its JSON
 * path; header values and the password are registry-marked secrets (so
 * redaction and config issues hide them); the wire encoding round-trips.
 */
import { describe, expect, it } from 'vitest';
import { validateSite } from '../../src/config/load.ts';
import { marksOf, slotText } from '../../src/config/marks.ts';
import { RemoteWriteSchema } from '../../src/export/remote-write/config.ts';
import { decodeWriteRequest, encodeWriteRequest, type Sample } from '../../src/export/remote-write/encode.ts';

describe('remoteWrite config', () => {
  it('takes the defaults', () => {
    const s = validateSite({ remoteWrite: { url: 'http://127.0.0.1:9090/api/v1/write' } }, { base: '/tmp' });
    expect(s.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(s.settings.remoteWrite).toMatchObject({ interval: 15, batch: 2000, queue: 100_000, timeout: 10, headers: {}, labels: {}, basicAuth: null });
  });

  it.each([
    [{ url: 'ftp://x/' }, ['remoteWrite', 'url']],
    [{ url: 'http://x/', interval: 0 }, ['remoteWrite', 'interval']],
    [{ url: 'http://x/', labels: { '1bad': 'x' } }, ['remoteWrite', 'labels']],
    [{ url: 'http://x/', labels: { __name__: 'x' } }, ['remoteWrite', 'labels']],
    [{ url: 'http://x/', headers: { 'Content-Type': 'x' } }, ['remoteWrite', 'headers']],
    [{ url: 'http://x/', queue: 5 }, ['remoteWrite', 'queue']],
    ['http://x/', ['remoteWrite']],
  ])('names the path of a bad value: %j', (rw, path) => {
    const s = validateSite({ remoteWrite: rw }, { base: '/tmp' });
    const errs = s.issues.filter((i) => i.severity === 'error');
    expect(errs.length).toBeGreaterThan(0);
    expect(errs[0].path.slice(0, path.length)).toEqual(path);
    expect(s.settings.remoteWrite).toBeNull();
  });

  it('marks header values and the password as secrets (never quoted in an issue)', () => {
    const slots = marksOf(RemoteWriteSchema.unwrap().unwrap()).secrets.map(slotText);
    expect(slots).toEqual(expect.arrayContaining(['headers.*', 'basicAuth.password']));
  });

  it('encodes a WriteRequest that decodes to the same samples, one series per label set', () => {
    const samples: Sample[] = [
      { labels: { __name__: 'a', check: 'x' }, value: 1, t: 1_700_000_000_000 },
      { labels: { check: 'x', __name__: 'a' }, value: 0, t: 1_700_000_015_000 },
      { labels: { __name__: 'b', check: 'x', metric: 'rtt' }, value: 0.25, t: 1_700_000_000_000 },
    ];
    const back = decodeWriteRequest(encodeWriteRequest(samples));
    expect(back).toEqual([samples[0], { ...samples[1], labels: samples[0].labels }, samples[2]]);
  });
});
