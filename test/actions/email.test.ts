/**
 * The email action against smtp-server on 127.0.0.1 (implicit TLS, STARTTLS,
 * plain; AUTH), and the sendmail fallback against a fake sendmail script.
 * The received message is compared byte for byte with the spec §5.4 format.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { writeFileSync, readFileSync, chmodSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ActionError, type Notification } from '../../src/actions/types.ts';
import { startSmtp, type SmtpMessage } from '../servers/smtp-receiver.ts';
import { freePort, tempDir } from '../servers/common.ts';
import { entry, failNote, host, passNote, send, sequenceNote } from './helpers.ts';

const DOG = '\u{1f436}';
const THUMB = '\u{1f44d}';
let dir: string;
let cleanup: () => void;
let caFile: string;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('sw-email-'));
  const { loopbackCert } = await import('../servers/loopback-cert.ts');
  caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, (await loopbackCert()).cert);
});
afterAll(() => cleanup());

const DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$/;

/** Splits a received message and checks the Date header separately (it is the send time). */
function parse(raw: string): { head: string; body: string; date: string } {
  const cut = raw.indexOf('\r\n\r\n');
  const lines = raw.slice(0, cut).split('\r\n');
  const dateLine = lines.find((l) => l.startsWith('Date: '))!;
  return { head: lines.filter((l) => l !== dateLine).join('\r\n'), body: raw.slice(cut + 4), date: dateLine.slice(6) };
}

function headers(n: Notification, subject: string, encoding: '7bit' | 'base64'): string {
  return [
    'From: mon@example.test',
    'To: ops@example.test, boss@example.test',
    `Subject: ${subject}`,
    `Message-ID: <${n.id}@${hostname()}>`,
    `Content-Transfer-Encoding: ${encoding}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
  ].join('\r\n');
}

const base = (port: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  hostname: '127.0.0.1',
  port,
  sender: 'mon@example.test',
  recipients: ['ops@example.test', 'boss@example.test'],
  site: 'HQ',
  ca: caFile,
  ...extra,
});

function only(messages: SmtpMessage[]): SmtpMessage {
  expect(messages).toHaveLength(1);
  return messages[0];
}

describe('email over SMTP', () => {
  it('implicit TLS with AUTH: FAIL mail, headers and 7bit body byte for byte', async () => {
    const smtp = await startSmtp({ mode: 'implicit', auth: { user: 'mon', pass: 's3cret' } });
    try {
      const n = failNote();
      const before = Date.now();
      await send(entry('email', base(smtp.port, { tls: 'implicit', username: 'mon', password: 's3cret' })), n);
      const m = only(smtp.messages);
      expect(m.secure).toBe(true);
      expect(m.user).toBe('mon');
      expect(m.from).toBe('mon@example.test');
      expect(m.to).toEqual(['ops@example.test', 'boss@example.test']);
      const p = parse(m.raw);
      expect(p.head).toBe(headers(n, '[HQ] FAIL: web (https)', '7bit'));
      expect(p.body).toBe(
        'web (https) in FAIL state at 14 Jan 2026 05:04 UTC\r\n\r\nLog:\r\n\r\nweb.example.com ConnectionRefusedError: [Errno 111] Connection refused\r\n',
      );
      expect(p.date).toMatch(DATE);
      expect(Date.parse(p.date)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    } finally {
      await smtp.close();
    }
  });

  it('a failure with a signed acknowledgement link: the built-in text ends with it (issue 19)', async () => {
    const smtp = await startSmtp({ mode: 'none' });
    try {
      const n = { ...failNote(), ackUrl: 'https://mon.example.test/ack/v1.abc.def' };
      await send(entry('email', base(smtp.port, { tls: 'none' })), n);
      const p = parse(only(smtp.messages).raw);
      expect(p.body).toMatch(/Connection refused\r\n\r\nAcknowledge: https:\/\/mon\.example\.test\/ack\/v1\.abc\.def\r\n$/);
    } finally {
      await smtp.close();
    }
  });

  it('STARTTLS with AUTH: PASS mail, icon line, UTF-8 body in base64', async () => {
    const smtp = await startSmtp({ mode: 'starttls', auth: { user: 'mon', pass: 's3cret' } });
    try {
      const n = passNote();
      await send(entry('email', base(smtp.port, { tls: 'starttls', username: 'mon', password: 's3cret' })), n);
      const m = only(smtp.messages);
      expect(m.secure).toBe(true);
      expect(m.user).toBe('mon');
      const p = parse(m.raw);
      expect(p.head).toBe(headers(n, '[HQ] PASS: web (https)', 'base64'));
      expect(Buffer.from(p.body, 'base64').toString('utf8')).toBe(
        `web (https) in PASS state at 14 Jan 2026 05:10 UTC\r\n${DOG}${THUMB}\r\n\r\nLog:\r\n\r\nHTTP/1.1 200 OK`,
      );
    } finally {
      await smtp.close();
    }
  });

  it('plain SMTP to a relay (tls "none"): a sequence mail, never upgraded', async () => {
    const smtp = await startSmtp({ mode: 'none' });
    try {
      const n = sequenceNote();
      await send(entry('email', base(smtp.port, { tls: 'none' })), n);
      const m = only(smtp.messages);
      expect(m.secure).toBe(false);
      expect(m.user).toBeNull();
      const p = parse(m.raw);
      expect(p.head).toBe(headers(n, '[HQ] FAIL: self-check (sequence)', '7bit'));
      expect(p.body).toBe(
        'self-check (sequence) in FAIL state at 14 Jan 2026 05:04 UTC\r\n\r\nLog:\r\n\r\n' +
          // the log's trailing '' line is the message's final CRLF (RFC 5322 §2.3)
          'memory (memory): PASS 42%\r\ndisk (disk): FAIL\r\nVolume / 95% full\r\n\r\ncpu (cpu): FAIL\r\nLoad 99%\r\n',
      );
    } finally {
      await smtp.close();
    }
  });

  it('without `site` the subject says [Fletchck] as in fletchck; no sender means no From header', async () => {
    const smtp = await startSmtp({ mode: 'none' });
    try {
      const opts = base(smtp.port, { tls: 'none', sender: null });
      delete opts.site;
      await send(entry('email', opts), failNote());
      const m = only(smtp.messages);
      expect(m.from).toBe('');
      const p = parse(m.raw);
      expect(p.head).toContain('Subject: [Fletchck] FAIL: web (https)');
      expect(p.head).not.toContain('From:');
    } finally {
      await smtp.close();
    }
  });

  it('a sequence of notifications arrives in order as separate mails', async () => {
    const smtp = await startSmtp({ mode: 'none' });
    try {
      const e = entry('email', base(smtp.port, { tls: 'none' }));
      for (const n of [failNote(), passNote(), sequenceNote()]) await send(e, n);
      expect(smtp.messages.map((m) => parse(m.raw).head.split('\r\n')[2])).toEqual([
        'Subject: [HQ] FAIL: web (https)',
        'Subject: [HQ] PASS: web (https)',
        'Subject: [HQ] FAIL: self-check (sequence)',
      ]);
    } finally {
      await smtp.close();
    }
  });

  it('a wrong password is a permanent error (535), and the password is not in the message', async () => {
    const smtp = await startSmtp({ mode: 'implicit', auth: { user: 'mon', pass: 's3cret' } });
    try {
      const err = await send(entry('email', base(smtp.port, { username: 'mon', password: 'wrong-pw' })), failNote()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ActionError);
      expect((err as ActionError).permanent).toBe(true);
      expect((err as ActionError).message).toMatch(/535/);
      expect((err as ActionError).message).not.toContain('wrong-pw');
      expect(smtp.refusedLogins).toBe(1);
      expect(smtp.messages).toHaveLength(0);
    } finally {
      await smtp.close();
    }
  });

  it('the password may come from the environment or a file', async () => {
    const smtp = await startSmtp({ mode: 'starttls', auth: { user: 'mon', pass: 'from-env' } });
    try {
      process.env.SW_TEST_SMTP_PASSWORD = 'from-env';
      await send(entry('email', base(smtp.port, { tls: 'starttls', username: 'mon', password: { env: 'SW_TEST_SMTP_PASSWORD' } })), failNote());
      const file = join(dir, 'smtp-password');
      writeFileSync(file, 'from-env\n');
      await send(entry('email', base(smtp.port, { tls: 'starttls', username: 'mon', password: { file } })), failNote());
      expect(smtp.messages.map((m) => m.user)).toEqual(['mon', 'mon']);
    } finally {
      delete process.env.SW_TEST_SMTP_PASSWORD;
      await smtp.close();
    }
  });

  it('an unset password variable is a permanent error naming the variable', async () => {
    const err = await send(entry('email', base(1, { username: 'mon', password: { env: 'SW_TEST_NOT_SET' } })), failNote()).catch((e: unknown) => e);
    expect((err as ActionError).permanent).toBe(true);
    expect((err as ActionError).message).toContain('SW_TEST_NOT_SET');
  });

  it('the server certificate is verified: without `ca` a self-signed server is refused (transient)', async () => {
    const smtp = await startSmtp({ mode: 'implicit' });
    try {
      const err = await send(entry('email', base(smtp.port, { ca: null })), failNote()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ActionError);
      expect((err as ActionError).permanent).toBe(false);
      expect(smtp.messages).toHaveLength(0);
    } finally {
      await smtp.close();
    }
  });

  it('a server that is down is a transient error', async () => {
    const port = await freePort();
    const err = await send(entry('email', base(port, { tls: 'none' })), failNote()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ActionError);
    expect((err as ActionError).permanent).toBe(false);
  });

  it('no recipients: success without sending (spec §5.4)', async () => {
    const smtp = await startSmtp({ mode: 'none' });
    try {
      await send(entry('email', base(smtp.port, { tls: 'none', recipients: [] })), failNote());
      expect(smtp.messages).toHaveLength(0);
    } finally {
      await smtp.close();
    }
  });

  it('neither hostname nor fallback: "Email notify not configured", counted as success', async () => {
    const e = entry('email', { recipients: ['ops@example.test'] });
    const h = host([e]);
    await send(e, failNote(), h);
    expect(h.warnings).toEqual(['Email notify not configured']);
  });
});

describe('email through the sendmail fallback', () => {
  function fakeSendmail(name: string, body: string): string {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
    return path;
  }

  it('runs `<fallback> -oi -r <sender> -- <recipients...>` with the message (LF line ends) on stdin', async () => {
    const out = join(dir, 'sm1');
    const prog = fakeSendmail('sendmail-ok', `printf '%s\\n' "$@" > ${out}.args\ncat > ${out}.stdin\nexit 0`);
    const n = failNote();
    await send(entry('email', { fallback: prog, sender: 'mon@example.test', recipients: ['ops@example.test', 'boss@example.test'], site: 'HQ' }), n);
    expect(readFileSync(`${out}.args`, 'utf8')).toBe('-oi\n-r\nmon@example.test\n--\nops@example.test\nboss@example.test\n');
    const stdin = readFileSync(`${out}.stdin`, 'utf8');
    expect(stdin).not.toContain('\r');
    const [head, body] = [stdin.slice(0, stdin.indexOf('\n\n')), stdin.slice(stdin.indexOf('\n\n') + 2)];
    expect(
      head
        .split('\n')
        .filter((l) => !l.startsWith('Date: '))
        .join('\r\n'),
    ).toBe(headers(n, '[HQ] FAIL: web (https)', '7bit'));
    expect(body).toBe('web (https) in FAIL state at 14 Jan 2026 05:04 UTC\n\nLog:\n\nweb.example.com ConnectionRefusedError: [Errno 111] Connection refused\n');
  });

  it('without a sender there is no -r', async () => {
    const out = join(dir, 'sm2');
    const prog = fakeSendmail('sendmail-nor', `printf '%s\\n' "$@" > ${out}.args\ncat > /dev/null`);
    await send(entry('email', { fallback: prog, recipients: ['ops@example.test'] }), failNote());
    expect(readFileSync(`${out}.args`, 'utf8')).toBe('-oi\n--\nops@example.test\n');
  });

  it('a non-zero exit is a failure: 75 (EX_TEMPFAIL) transient, 67 (EX_NOUSER) permanent, with stderr', async () => {
    const temp = fakeSendmail('sendmail-75', 'cat > /dev/null\necho "queue busy" >&2\nexit 75');
    const e1 = (await send(entry('email', { fallback: temp, recipients: ['x@example.test'] }), failNote()).catch((e: unknown) => e)) as ActionError;
    expect(e1).toBeInstanceOf(ActionError);
    expect(e1.permanent).toBe(false);
    expect(e1.message).toContain('exit status 75: queue busy');
    const perm = fakeSendmail('sendmail-67', 'cat > /dev/null\nexit 67');
    const e2 = (await send(entry('email', { fallback: perm, recipients: ['x@example.test'] }), failNote()).catch((e: unknown) => e)) as ActionError;
    expect(e2.permanent).toBe(true);
  });

  it('the timeout applies: a hanging program is killed and the send fails', async () => {
    const hang = fakeSendmail('sendmail-hang', 'exec sleep 30');
    const err = (await send(entry('email', { fallback: hang, recipients: ['x@example.test'], timeout: 0.5 }), failNote()).catch(
      (e: unknown) => e,
    )) as ActionError;
    expect(err).toBeInstanceOf(ActionError);
    expect(err.permanent).toBe(false);
    expect(err.message).toMatch(/timed out/);
  });

  it('a fallback that does not exist is a permanent error', async () => {
    const err = (await send(entry('email', { fallback: join(dir, 'no-such-sendmail'), recipients: ['x@example.test'] }), failNote()).catch(
      (e: unknown) => e,
    )) as ActionError;
    expect(err.permanent).toBe(true);
    expect(err.message).toContain('ENOENT');
  });
});
