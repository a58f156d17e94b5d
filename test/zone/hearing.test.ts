/** hearing.ts: when a connected node counts as hearing nobody (docs/ha.md "A node that hears nobody"). */
import { describe, expect, it } from 'vitest';
import { Hearing } from '../../src/zone/hearing.ts';

/** `n` heartbeats, 1 s apart from `from`; the last verdict */
const beats = (h: Hearing, from: number, n: number): string => {
  let v = '';
  for (let i = 1; i <= n; i++) v = h.check(from + i * 1000);
  return v;
};

describe('Hearing (4 heartbeats and 5 s without its own status)', () => {
  it('is fine while its own status comes back, and while disconnected', () => {
    const h = new Hearing(5000, 4);
    expect(h.check(100_000)).toBe('yes'); // never connected
    h.connected(0);
    expect(beats(h, 0, 5)).toBe('yes'); // 5 heartbeats, but only 5 s
    h.heard(5500);
    expect(beats(h, 5500, 5)).toBe('yes');
    h.disconnected();
    expect(beats(h, 60_000, 20)).toBe('yes');
    expect(h.hearsNobody).toBe(false);
  });

  it('needs both the heartbeats and the time: a stalled event loop (one late heartbeat) is not deafness', () => {
    const h = new Hearing(5000, 4);
    h.connected(0);
    expect(h.check(60_000)).toBe('yes'); // one heartbeat, 60 s late
    expect(h.check(60_001)).toBe('yes');
    h.heard(60_002);
    const fast = new Hearing(5000, 4);
    fast.connected(0);
    for (let t = 100; t <= 4900; t += 100) expect(fast.check(t)).toBe('yes'); // 49 heartbeats of 0.1 s: not 5 s yet
  });

  it('stops hearing after both limits, says so once per episode, retries once per limit', () => {
    const h = new Hearing(5000, 4);
    h.connected(0);
    expect(beats(h, 0, 5)).toBe('yes');
    expect(h.check(6000)).toBe('stopped');
    expect(h.hearsNobody).toBe(true);
    expect(h.check(7000)).toBe('yes'); // one verdict per limit: the reconnect gets its time
    h.connected(7500); // the reconnect
    expect(beats(h, 7500, 5)).toBe('yes');
    expect(h.check(13_501)).toBe('no'); // still deaf: not said again
    expect(h.heard(14_000)).toBe(true); // hears again
    expect(h.hearsNobody).toBe(false);
    expect(h.heard(14_500)).toBe(false);
    expect(beats(h, 14_500, 5)).toBe('yes');
    expect(h.check(20_501)).toBe('stopped'); // a new episode is said again
  });
});
