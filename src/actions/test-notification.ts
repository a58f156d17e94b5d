/**
 * The synthetic check of the UI's "Test Action" (spec §5.6). The version
 * line carries siteward's version (`Fletch version: siteward 0.1.0`), not
 * fletchck's 1.1.5.
 */
import type { Notification } from './types.ts';
import { fixed } from '../checks/shared/format.ts';
import { VERSION } from '../version.ts';

export const TEST_CHECK_NAME = 'Test Notification';
export const TEST_CHECK_TYPE = 'action-test';

/** `random` stands for Python's `randbits(8) / 255` (0 … 1). */
export function testNotification(site: string, zone: string | null, now: number, random: () => number = Math.random): Notification {
  const byte = Math.min(255, Math.floor(random() * 256));
  const value = `${fixed((100 * byte) / 255, 0)}%`;
  const log = ['Testing action notification', `Fletch version: siteward ${VERSION}`, `Some random value: ${value}`];
  return {
    site,
    kind: 'test',
    at: now,
    check: {
      name: TEST_CHECK_NAME,
      type: TEST_CHECK_TYPE,
      state: 'FAIL',
      failState: true,
      softFail: null,
      level: value,
      log,
      // getSummary of a failing check: its last log line (spec §3.2)
      summary: log[log.length - 1],
      lastFail: now,
      lastPass: now,
      lastCheck: now,
      zone,
    },
  };
}
