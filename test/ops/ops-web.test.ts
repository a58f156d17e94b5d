/**
 * Operations in the web UI: an operator acknowledges a failing check and
 * puts it in maintenance from its page; the state badge and the "Alerts"
 * panel show who, when and why; the site log says who did it; a viewer sees
 * no buttons and is refused.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { Agent, PASSWORDS, decodeHtml, webSite, type TestSite } from '../web/helpers.ts';

let t: TestSite;
afterEach(async () => t?.close());

describe('operations on the check page', () => {
  it('acknowledge and maintenance now, shown with who and why', async () => {
    t = await webSite({ checks: { nas: { type: 'remote', subType: 'truenas', options: {}, actions: ['logit'] } } });
    const now = t.clock.now();
    t.site.applyRemote('nas', {
      failState: false,
      failCount: 0,
      threshold: 1,
      log: ['ok'],
      softFail: null,
      level: null,
      lastCheck: now,
      lastFail: null,
      lastPass: now,
    });
    t.site.applyRemote('nas', {
      failState: true,
      failCount: 1,
      threshold: 1,
      log: ['pool degraded'],
      softFail: null,
      level: null,
      lastCheck: now,
      lastFail: now,
      lastPass: null,
    });
    const a = new Agent(t.web);
    await a.login('olly', PASSWORDS.olly);
    let page = decodeHtml(await a.page('/check/nas'));
    expect(page).toContain('FAIL: notified logit');
    expect(page).toContain('>Acknowledge</button>');

    const r = await a.post('/check/nas/ack', { comment: 'replacing the disk' });
    expect(r.status).toBe(303);
    page = decodeHtml(await a.page('/check/nas'));
    expect(page).toMatch(/Acknowledged by olly at [^:]+.*: replacing the disk/);
    expect(page).not.toContain('>Acknowledge</button>');
    expect(decodeHtml(await a.page('/checks'))).toContain('acknowledged by olly');

    expect((await a.post('/check/nas/maintenance', { minutes: '60', reason: 'resilver' })).status).toBe(303);
    page = decodeHtml(await a.page('/check/nas'));
    expect(page).toMatch(/In maintenance until .* started by olly\): resilver/);
    expect(t.site.siteLog.all().some((l) => /nas in maintenance for 60 min by olly: resilver/.test(l))).toBe(true);
    expect(t.site.siteLog.all().some((l) => /nas acknowledged by olly: replacing the disk/.test(l))).toBe(true);

    // recovery inside the window: nobody notified, and the trace says why; the ack is gone
    t.site.applyRemote('nas', {
      failState: false,
      failCount: 0,
      threshold: 1,
      log: ['ok'],
      softFail: null,
      level: null,
      lastCheck: now,
      lastFail: now,
      lastPass: now,
    });
    page = decodeHtml(await a.page('/check/nas'));
    expect(page).toMatch(/PASS: nobody notified: in maintenance \(window "nas by olly/);
    expect(page).not.toContain('Acknowledged by');

    expect((await a.post('/check/nas/maintenance/end')).status).toBe(303);
    expect(t.site.ops.maintenance('nas')).toBeNull();
    expect((await a.post('/check/nas/maintenance', { minutes: '0' })).status).toBe(409);
  });

  it('a viewer sees no buttons and cannot acknowledge', async () => {
    t = await webSite({ checks: { nas: { type: 'remote', subType: 'truenas', options: {} } } });
    const a = new Agent(t.web);
    await a.login('vera', PASSWORDS.vera);
    const page = await a.page('/check/nas');
    expect(page).not.toContain('>Acknowledge</button>');
    expect(page).not.toContain('Start maintenance');
    expect((await a.post('/check/nas/ack', { comment: 'x' })).status).toBe(403);
    expect(t.site.ops.ack('nas')).toBeNull();
  });
});
