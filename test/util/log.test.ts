import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { turnBuffered } from '../../src/log.ts';

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('turnBuffered log destination', () => {
  it('writes the lines of one event-loop turn together at its end, in order', async () => {
    const writes: string[] = [];
    const log = pino({ base: undefined, formatters: { level: (label) => ({ level: label }) } }, turnBuffered({ write: (s) => writes.push(s) }));
    log.info('one');
    log.warn('two');
    expect(writes).toEqual([]);
    await turn();
    expect(writes).toHaveLength(1);
    expect(
      writes[0]
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { msg: string }).msg),
    ).toEqual(['one', 'two']);
  });

  it('writes an error or fatal line at once, with the lines before it', () => {
    const writes: string[] = [];
    const log = pino({ base: undefined, formatters: { level: (label) => ({ level: label }) } }, turnBuffered({ write: (s) => writes.push(s) }));
    log.info('before');
    log.error('broken');
    expect(writes).toHaveLength(1);
    expect(writes[0]).toContain('"msg":"before"');
    expect(writes[0]).toContain('"msg":"broken"');
    log.fatal('worse');
    expect(writes).toHaveLength(2);
  });

  it('writes at once when a burst fills the buffer, and flush() writes what is pending', () => {
    const writes: string[] = [];
    const dest = turnBuffered({ write: (s) => writes.push(s) });
    const log = pino({ base: undefined, formatters: { level: (label) => ({ level: label }) } }, dest);
    const long = 'x'.repeat(1000);
    for (let i = 0; i < 100; i++) log.info(long);
    expect(writes.length).toBeGreaterThanOrEqual(1);
    dest.flush();
    expect(writes.join('').split('\n').filter(Boolean)).toHaveLength(100);
    log.info('last');
    let flushed = false;
    log.flush(() => (flushed = true));
    expect(flushed).toBe(true);
    expect(writes.join('')).toContain('"msg":"last"');
  });
});
