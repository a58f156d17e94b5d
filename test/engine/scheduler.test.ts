/**
 * The scheduler on a fake clock (spec §6.1): interval and cron timing,
 * coalescing, end dates, jitter bounds, time zones across DST.
 */
import { describe, it, expect } from 'vitest';
import { FakeClock } from '../../src/engine/clock.ts';
import { Scheduler } from '../../src/engine/scheduler.ts';
import { compileTrigger, type Schedule } from '../../src/config/trigger.ts';

function sched(trigger: unknown, zone: string | null = 'UTC'): Schedule {
  const { schedule, issues } = compileTrigger(trigger, zone, []);
  if (!schedule) throw new Error(JSON.stringify(issues));
  return schedule;
}

function harness(opts: { jitterMs?: number; random?: () => number; start?: number } = {}) {
  const clock = new FakeClock(opts.start ?? Date.UTC(2026, 0, 5, 0, 0, 0));
  const fired: { name: string; at: number }[] = [];
  const s = new Scheduler({ clock, jitterMs: opts.jitterMs ?? 0, random: opts.random, onDue: (name) => fired.push({ name, at: clock.now() }) });
  return { clock, fired, s };
}

const iso = (t: number): string => new Date(t).toISOString();

describe('scheduler', () => {
  it('runs an interval check 1 s after it is added, then every interval', async () => {
    const { clock, fired, s } = harness();
    const t0 = clock.now();
    s.set('a', sched({ interval: { minutes: 10 } }));
    await clock.advance(35 * 60_000);
    expect(fired.map((f) => (f.at - t0) / 1000)).toEqual([1, 601, 1201, 1801]);
  });

  it('re-adding an interval check restarts it 1 s later (spec §6.1)', async () => {
    const { clock, fired, s } = harness();
    const t0 = clock.now();
    s.set('a', sched({ interval: { hours: 1 } }));
    await clock.advance(10_000);
    s.set('a', sched({ interval: { hours: 1 } }));
    await clock.advance(2000);
    expect(fired.map((f) => (f.at - t0) / 1000)).toEqual([1, 11]);
  });

  it('fires a cron check at the next match, not at start-up', async () => {
    const { clock, fired, s } = harness({ start: Date.UTC(2026, 0, 5, 4, 30) });
    s.set('a', sched({ cron: { hour: 5 } }));
    await clock.advance(2 * 86_400_000);
    expect(fired.map((f) => iso(f.at))).toEqual(['2026-01-05T05:00:00.000Z', '2026-01-06T05:00:00.000Z']);
  });

  it('coalesces missed runs into one when the clock jumps', async () => {
    const { clock, fired, s } = harness();
    const t0 = clock.now();
    s.set('a', sched({ interval: { minutes: 1 } }));
    await clock.advance(1000);
    expect(fired).toHaveLength(1);
    // simulate a stalled process: time passes without timers firing
    (clock as unknown as { t: number }).t += 10 * 60_000;
    await clock.advance(0);
    expect(fired).toHaveLength(2);
    await clock.advance(60_000);
    expect(fired).toHaveLength(3);
    // the origin is kept: runs stay on the 1 s + k·60 s grid
    expect(((fired[2].at - t0) / 1000 - 1) % 60).toBe(0);
  });

  it('stops at end_date', async () => {
    const { clock, fired, s } = harness();
    s.set('a', sched({ interval: { minutes: 1, end_date: '2026-01-05T00:03:30Z' } }));
    await clock.advance(3600_000);
    expect(fired).toHaveLength(4);
  });

  it('cron start_date delays the first run', async () => {
    const { clock, fired, s } = harness();
    s.set('a', sched({ cron: { minute: 0, start_date: '2026-01-05T03:30:00Z' } }));
    await clock.advance(5 * 3600_000);
    expect(fired.map((f) => iso(f.at))).toEqual(['2026-01-05T04:00:00.000Z', '2026-01-05T05:00:00.000Z']);
  });

  it('jitter delays each fire time by 0…jitter without shifting the base sequence', async () => {
    let r = 0;
    const randoms = [0, 0.999, 0.5, 0.25];
    const { clock, fired, s } = harness({ jitterMs: 5000, random: () => randoms[r++ % randoms.length] });
    const t0 = clock.now();
    s.set('a', sched({ interval: { minutes: 1 } }));
    await clock.advance(4 * 60_000);
    const offsets = fired.map((f, i) => f.at - t0 - 1000 - i * 60_000);
    expect(offsets).toEqual([0, 4995, 2500, 1250]);
    for (const o of offsets) expect(o >= 0 && o < 5000).toBe(true);
  });

  it('jitter stays within bounds over many draws', async () => {
    const { clock, fired, s } = harness({ jitterMs: 5000 });
    const t0 = clock.now();
    for (let i = 0; i < 200; i++) s.set(`c${i}`, sched({ interval: { seconds: 30 } }));
    await clock.advance(10_000);
    expect(fired).toHaveLength(200);
    for (const f of fired) expect(f.at - t0 >= 1000 && f.at - t0 < 6000).toBe(true);
  });

  it('removing a check stops it; nextRun reports the jittered time', async () => {
    const { clock, fired, s } = harness();
    s.set('a', sched({ interval: { seconds: 10 } }));
    expect(s.nextRun('a')).toBe(clock.now() + 1000);
    s.remove('a');
    expect(s.nextRun('a')).toBeNull();
    await clock.advance(60_000);
    expect(fired).toHaveLength(0);
  });

  it('keeps local wall time across a DST change (Australia/Adelaide, April 2026)', async () => {
    // DST ends 5 Apr 2026 03:00 ACDT → 02:00 ACST (UTC+10:30 → +09:30)
    const { clock, fired, s } = harness({ start: Date.UTC(2026, 3, 3, 0, 0) });
    s.set('a', sched({ cron: { hour: 9 } }, 'Australia/Adelaide'));
    await clock.advance(3 * 86_400_000);
    expect(fired.map((f) => iso(f.at))).toEqual([
      '2026-04-03T22:30:00.000Z', // 4 Apr 09:00 ACDT
      '2026-04-04T23:30:00.000Z', // 5 Apr 09:00 ACST
      '2026-04-05T23:30:00.000Z',
    ]);
  });

  it('runs once per hour through a spring-forward gap (Europe/Berlin, 29 Mar 2026)', async () => {
    const { clock, fired, s } = harness({ start: Date.UTC(2026, 2, 28, 23, 30) });
    s.set('a', sched({ cron: { minute: 0 } }, 'Europe/Berlin'));
    await clock.advance(3 * 3600_000);
    // 01:00 CET = 00:00Z, then 03:00 CEST = 01:00Z (02:00 does not exist), 04:00 CEST = 02:00Z
    expect(fired.map((f) => iso(f.at))).toEqual(['2026-03-29T00:00:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-29T02:00:00.000Z']);
  });

  it('tells each due check the jittered time it was planned for, while its next run is already scheduled', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 5));
    const draws = [0.5, 0.25, 0.75];
    const seen: { planned: number; now: number; next: number | null }[] = [];
    const s: Scheduler = new Scheduler({
      clock,
      jitterMs: 4000,
      random: () => draws.shift() ?? 0,
      onDue: (name, planned) => seen.push({ planned, now: clock.now(), next: s.nextRun(name) }),
    });
    const t0 = clock.now();
    s.set('a', sched({ interval: { minutes: 1 } }));
    await clock.advance(2 * 60_000 + 5000);
    // base 1 s + 2 s jitter, then 61 s + 1 s, then 121 s + 3 s, then 181 s (the entry is reused between fires)
    expect(seen.map((x) => [(x.planned - t0) / 1000, (x.now - t0) / 1000, x.next === null ? null : (x.next - t0) / 1000])).toEqual([
      [3, 3, 62],
      [62, 62, 124],
      [124, 124, 181],
    ]);
  });

  it('serves 10,000 checks from one timer', async () => {
    const { clock, fired, s } = harness();
    for (let i = 0; i < 10_000; i++) s.set(`c${i}`, sched({ interval: { seconds: 60 + (i % 7) } }));
    expect(clock.pending()).toBe(1);
    // the first-run ramp (test/engine/first-run-ramp.test.ts) starts them within ~50 s; none is due twice by then
    await clock.advance(52_000);
    expect(fired).toHaveLength(10_000);
    expect(clock.pending()).toBe(1);
  });
});
