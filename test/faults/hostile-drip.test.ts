/**
 * Issue 9, fault suite: a server that answers one byte a second — the start
 * of a reply the protocol allows (an SMTP greeting, an SSH banner, an HTTP
 * status line, a TLS ServerHello, a NUT list…), never finished — against
 * every network check type in the registry. Each run waits for the rest
 * and fails when its timeout fires: not earlier (the reply is plausible so
 * far), and not more than a second later.
 */
import { describe, it, expect } from 'vitest';
import { missingFixtures, networkCases, runHostile, TIMEOUT_S } from './hostile-harness.ts';

describe('hostile servers: one byte a second', () => {
  it('every registered check type has a hostile fixture (or says why it opens no connection)', () => {
    expect(missingFixtures()).toEqual([]);
  });

  describe.concurrent('each network check', () => {
    for (const n of networkCases().filter((x) => x.c.drip !== undefined)) {
      it(`${n.label}: fails at its timeout`, async () => {
        const { result, sent } = await runHostile(n, 'drip', { memory: false });
        const { outcome, elapsed } = result;
        const facts = `${elapsed} ms, ${sent} bytes dripped, log ${JSON.stringify(outcome.log)}`;
        expect(outcome.fail, facts).toBe(true);
        expect(sent, facts).toBeGreaterThan(0);
        expect(elapsed, facts).toBeGreaterThanOrEqual(TIMEOUT_S.drip * 1000 - 100);
        expect(elapsed, facts).toBeLessThan(TIMEOUT_S.drip * 1000 + 1000);
        // fletchck's detail line: `<host> <ErrorName>: <message>`
        expect(outcome.log.at(-1), facts).toMatch(/^\S+ [A-Za-z]+: ./);
        if (n.c.dripLine) expect(outcome.log.at(-1), facts).toMatch(n.c.dripLine);
      }, 30_000);
    }
  });
});
