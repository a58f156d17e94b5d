/**
 * The fletchck texts (spec §5.4, §5.5, §5.6) as exact strings, written out
 * by hand from the spec rather than from the code under test.
 */
import { describe, it, expect } from 'vitest';
import { emailBody, emailSubject, smsText, APP_ICON } from '../../src/actions/message.ts';
import { smsForm } from '../../src/actions/sms/index.ts';
import { pyUrlencode } from '../../src/actions/shared/http.ts';
import { testNotification } from '../../src/actions/test-notification.ts';
import { rfc5322Date } from '../../src/actions/email/mime.ts';
import { buildDigest } from '../../src/actions/outbox/digest.ts';
import { VERSION } from '../../src/version.ts';
import { failNote, passNote, sequenceNote } from './helpers.ts';

const DOG = '\u{1f436}';
const THUMB = '\u{1f44d}';
const SPEECH = '\u{1f4ac}';

describe('email texts (spec §5.4)', () => {
  it('subject is [site] STATE: name (type)', () => {
    expect(emailSubject(failNote(), 'HQ')).toBe('[HQ] FAIL: web (https)');
    expect(emailSubject(passNote(), 'Fletchck')).toBe('[Fletchck] PASS: web (https)');
  });

  it('FAIL body: state line with lastFail, then the Log block, no icon line', () => {
    expect(emailBody(failNote(), DOG)).toBe(
      'web (https) in FAIL state at 14 Jan 2026 05:04 UTC\n\nLog:\n\nweb.example.com ConnectionRefusedError: [Errno 111] Connection refused',
    );
  });

  it('PASS body: state line with lastPass, the icon + thumbs-up line, then the log', () => {
    expect(emailBody(passNote(), DOG)).toBe(`web (https) in PASS state at 14 Jan 2026 05:10 UTC\n${DOG}${THUMB}\n\nLog:\n\nHTTP/1.1 200 OK`);
  });

  it('no log lines: no Log block', () => {
    expect(emailBody(failNote({ log: [] }), DOG)).toBe('web (https) in FAIL state at 14 Jan 2026 05:04 UTC');
  });

  it('a sequence: its log verbatim, trailing empty member separators included', () => {
    expect(emailBody(sequenceNote(), DOG)).toBe(
      'self-check (sequence) in FAIL state at 14 Jan 2026 05:04 UTC\n\nLog:\n\n' +
        'memory (memory): PASS 42%\ndisk (disk): FAIL\nVolume / 95% full\n\ncpu (cpu): FAIL\nLoad 99%\n',
    );
  });

  it('times are shown in the check zone', () => {
    expect(emailBody(failNote({ zone: 'Australia/Adelaide', log: [] }), DOG)).toBe('web (https) in FAIL state at 14 Jan 2026 15:34 ACDT');
  });

  it('the icon default is the dog (fletchck wrongly used the app name)', () => {
    expect(APP_ICON).toBe(DOG);
  });

  it('Date header is RFC 5322 in the given zone', () => {
    expect(rfc5322Date(T(), 'Australia/Adelaide')).toBe('Wed, 14 Jan 2026 15:34:00 +1030');
    expect(rfc5322Date(T(), 'UTC')).toBe('Wed, 14 Jan 2026 05:04:00 +0000');
    expect(rfc5322Date(T(), 'America/New_York')).toBe('Wed, 14 Jan 2026 00:04:00 -0500');
  });
});

function T(): number {
  return Date.UTC(2026, 0, 14, 5, 4);
}

describe('SMS texts (spec §5.5)', () => {
  it('failing: site, icon 💬, name: STATE, summary, lastFail', () => {
    expect(smsText(failNote(), 'HQ', DOG)).toBe(
      `HQ ${DOG}${SPEECH}\nweb: FAIL\nweb.example.com ConnectionRefusedError: [Errno 111] Connection refused\n14 Jan 2026 05:04 UTC`,
    );
  });

  it('passing without a site: icon 👍, name: STATE, lastPass', () => {
    expect(smsText(passNote(), '', DOG)).toBe(`${DOG}${THUMB}\nweb: PASS\n14 Jan 2026 05:10 UTC`);
  });

  it('a sequence: its per-member summary', () => {
    expect(smsText(sequenceNote(), '', DOG)).toBe(`${DOG}${SPEECH}\nself-check: FAIL\n disk \u26a0\ufe0f95%\n cpu \u26a0\ufe0f99%\n14 Jan 2026 05:04 UTC`);
  });

  it('form: fields in order, + removed from numbers, Python quote_plus encoding', () => {
    expect(smsForm('a b:c\n*~', 'dedicated', ['+61400000000', '61400000001'])).toBe(
      'originator=dedicated&mobile_number=61400000000%2C61400000001&concatenated=true&utf=true&text=a+b%3Ac%0A%2A~',
    );
  });

  it('form: non-ASCII text as percent-encoded UTF-8', () => {
    expect(pyUrlencode([['text', `${DOG}!`]])).toBe('text=%F0%9F%90%B6%21');
  });
});

describe('test action notification (spec §5.6)', () => {
  it('synthetic failing check with the three log lines and the value as level', () => {
    const n = testNotification('HQ', 'UTC', T(), () => 0.5);
    expect(n.kind).toBe('test');
    expect(n.check.name).toBe('Test Notification');
    expect(n.check.type).toBe('action-test');
    expect(n.check.failState).toBe(true);
    expect(n.check.lastFail).toBe(T());
    expect(n.check.lastPass).toBe(T());
    expect(n.check.log).toEqual(['Testing action notification', `Fletch version: siteward ${VERSION}`, 'Some random value: 50%']);
    expect(n.check.level).toBe('50%');
  });

  it('random value covers 0 % to 100 %', () => {
    expect(testNotification('HQ', null, T(), () => 0).check.level).toBe('0%');
    expect(testNotification('HQ', null, T(), () => 0.99999).check.level).toBe('100%');
  });
});

describe('digest notification', () => {
  it('one line per notification, FAIL when any was FAIL', () => {
    const d = buildDigest([failNote(), passNote(), sequenceNote()], Date.UTC(2026, 0, 14, 5, 10, 59, 999));
    expect(d.kind).toBe('digest');
    expect(d.check.name).toBe('3 notifications');
    expect(d.check.type).toBe('digest');
    expect(d.check.state).toBe('FAIL');
    expect(d.check.summary).toBe('2 FAIL, 1 PASS');
    expect(d.check.log).toEqual([
      'web (https): FAIL at 14 Jan 2026 05:04 UTC - web.example.com ConnectionRefusedError: [Errno 111] Connection refused',
      'web (https): PASS at 14 Jan 2026 05:10 UTC',
      'self-check (sequence): FAIL at 14 Jan 2026 05:04 UTC - disk \u26a0\ufe0f95%',
    ]);
    expect(d.items?.map((i) => i.name)).toEqual(['web', 'web', 'self-check']);
  });
});
