/**
 * A value at a secret slot of the registry (src/config/marks.ts), at any
 * depth, is never quoted in a validation issue: issues reach the logs,
 * /healthz and every role's pages. The issue still names its path and what
 * was wrong; values elsewhere are still quoted (they help fix a typo).
 */
import { describe, it, expect } from 'vitest';
import { validateSite } from '../../src/config/load.ts';
import { formatIssue } from '../../src/config/issues.ts';

const messages = (doc: Record<string, unknown>): string[] => validateSite(doc, { base: '/site' }, []).issues.map(formatIssue);

describe('validation issues at secret slots', () => {
  it('a secret of the wrong shape, at the top or deep in an option, is named by its path, not shown', () => {
    const out = messages({
      checks: {
        mail: { type: 'imap', options: { hostname: 'imap.example.org', password: 987654321 } },
        portal: {
          type: 'browser',
          options: { url: 'https://portal.example.org/', steps: [{ fill: '#u', value: 'monitor' }, 'hunter2-stray', { fill: '#p', value: 13572468 }] },
        },
      },
      actions: { mail: { type: 'email', options: { hostname: 'smtp.example.org', password: 24681357 } } },
    });
    const text = out.join('\n');
    for (const s of ['987654321', 'hunter2-stray', '13572468', '24681357']) expect(text).not.toContain(s);
    expect(out.some((m) => m === 'checks["mail"].options.password: the secret value is not valid here')).toBe(true);
    expect(out.some((m) => m === 'checks["portal"].options.steps[1]: the secret value is not valid here')).toBe(true);
    expect(out.some((m) => m.startsWith('checks["portal"].options.steps[2]: '))).toBe(true);
    expect(out.some((m) => m.startsWith('actions["mail"].options.password: '))).toBe(true);
  });

  it('a wrong value that is not a secret is still quoted', () => {
    const out = messages({ checks: { web: { type: 'https', options: { hostname: 'www.example.org', port: 'eighty' } } } });
    expect(out.join('\n')).toContain('eighty');
  });
});
