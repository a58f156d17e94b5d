/**
 * The action-related parts of the site file: fletchck action configs load
 * unchanged, the siteward `notifications` section and `renotify` option are
 * validated with JSON paths.
 */
import { describe, it, expect } from 'vitest';
import { validateSite } from '../../src/config/load.ts';
import { formatIssue } from '../../src/config/issues.ts';

const load = (doc: unknown): ReturnType<typeof validateSite> => validateSite(doc, { base: '/tmp' });
const problems = (doc: unknown): string[] => load(doc).issues.map(formatIssue);

describe('action config', () => {
  it('fletchck email, cksms and log actions load as they are', () => {
    const s = load({
      actions: {
        mail: {
          type: 'email',
          options: {
            hostname: 'smtp.example.com',
            port: 0,
            username: 'u',
            password: 'p',
            sender: 'a@example.com',
            recipients: ['b@example.com'],
            fallback: '/usr/lib/sendmail',
            site: 'HQ',
            timeout: 10,
          },
        },
        text: { type: 'cksms', options: { apikey: 'k', sender: 'dedicated', recipients: ['+61400000000'] } },
        logit: { type: 'log' },
      },
    });
    expect(s.issues).toEqual([]);
    expect(s.actions.get('text')?.config.type).toBe('sms');
    expect(s.actions.get('mail')?.opts).toMatchObject({ tls: 'implicit', icon: '\u{1f436}', port: 0 });
    expect([...s.actions.values()].every((a) => a.active)).toBe(true);
  });

  it('a bad option is reported with its path and leaves only that action inactive', () => {
    const s = load({ actions: { a: { type: 'email', options: { tls: 'ssl' } }, b: { type: 'ntfy', options: {} }, c: { type: 'log' } } });
    expect(s.issues.map(formatIssue).join('\n')).toMatch(/^actions\["a"\]\.options\.tls: /m);
    expect(s.issues.map(formatIssue).join('\n')).toMatch(/^actions\["b"\]\.options\.topic: /m);
    expect(s.actions.get('a')?.active).toBe(false);
    expect(s.actions.get('c')?.active).toBe(true);
  });

  it('secrets may be references; a malformed reference is an error', () => {
    expect(problems({ actions: { a: { type: 'email', options: { password: { env: 'SMTP_PASSWORD' } } } } })).toEqual([]);
    expect(problems({ actions: { a: { type: 'telegram', options: { token: { file: '/run/secrets/tg' }, chatId: 1 } } } })).toEqual([]);
    expect(problems({ actions: { a: { type: 'email', options: { password: { vault: 'x' } } } } }).join('\n')).toMatch(/^actions\["a"\]\.options\.password: /m);
  });
});

describe('notifications settings and renotify', () => {
  it('defaults: 24 h of retries from 30 s up to 1 h, 10 per action and minute', () => {
    expect(load({}).settings.notifications).toEqual({ retryHours: 24, backoff: 30, backoffMax: 3600, stormLimit: 10 });
  });

  it('a bad value is reported with its path', () => {
    expect(problems({ notifications: { stormLimit: -1 } }).join('\n')).toMatch(/^notifications\.stormLimit: /m);
  });

  it('renotify is a common check option', () => {
    const s = load({ checks: { a: { type: 'remote', options: { renotify: 15 } }, b: { type: 'cpu', options: { renotify: -3 } } } });
    expect(s.checks.get('a')?.opts).toMatchObject({ renotify: 15 });
    expect(s.issues.map(formatIssue).join('\n')).toMatch(/^checks\["b"\]\.options\.renotify: -3 is too small/m);
  });
});
