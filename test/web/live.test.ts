/**
 * Live updates over Server-Sent Events: each open page gets the partials it
 * shows as out-of-band swaps when checks change, a `sw-config` event when
 * the configuration changes, new log lines, and the stream ends with the
 * session.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { Agent, PASSWORDS, webSite, type TestSite } from './helpers.ts';
import { cid } from '../../src/web/model.ts';

let t: TestSite;
let a: Agent;
beforeEach(async () => {
  t = await webSite();
  a = new Agent(t.web);
  await a.login('vera', PASSWORDS.vera);
});
afterEach(async () => {
  await t.close();
});

class Stream {
  text = '';
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  done = false;

  constructor(res: Response) {
    this.reader = res.body!.getReader();
  }

  /** Reads until `pred` holds for the text received so far (bounded by a deadline, not asserted on). */
  async until(pred: (text: string) => boolean, ms = 5000): Promise<string> {
    const deadline = Date.now() + ms;
    while (!pred(this.text)) {
      if (this.done) throw new Error(`stream ended; got:\n${this.text}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`not received within ${ms} ms; got:\n${this.text}`);
      const r = await Promise.race([this.reader.read(), new Promise<null>((res) => setTimeout(() => res(null), left))]);
      if (r === null) continue;
      if (r.done) this.done = true;
      else this.text += this.decoder.decode(r.value, { stream: true });
    }
    return this.text;
  }

  async cancel(): Promise<void> {
    await this.reader.cancel().catch(() => undefined);
  }
}

async function open(path: string): Promise<Stream> {
  const res = await a.request(path, { headers: { Accept: 'text/event-stream' } });
  expect(res.status).toBe(200);
  expect(res.headers.get('Content-Type')).toMatch(/^text\/event-stream/);
  const s = new Stream(res);
  await s.until((x) => x.includes('event: sw-hello'));
  return s;
}

describe('live updates', () => {
  it("the checks page gets the changed check's rows (one per group, as htmx partials), the chips, the banner and the badge", async () => {
    const s = await open('/events?view=checks');
    await t.site.runNow('root');
    const text = await s.until((x) => x.includes(`id="r-${cid('seq')}-${cid('root')}"`));
    // a <template> (hx-partial) per row: the HTML parser keeps a <tr> there whatever precedes it (issue 22)
    expect(text).toContain(
      `<hx-partial hx-target="#r-${cid('seq')}-${cid('root')}" hx-swap="outerMorph"><tr id="r-${cid('seq')}-${cid('root')}" data-check="root">`,
    );
    expect(text).not.toMatch(/^data: <tr/m);
    expect(text).toContain('data-state="PASS"');
    expect(text).toContain('<div id="chips"');
    expect(text).toContain('<div id="failbanner"');
    expect(text).toContain('<span id="failbadge"');
    // a viewer's rows carry no action forms
    expect(text).not.toContain('/check/root/run');
    await s.cancel();
  });

  it("rows not on the viewer's page (filtered out) are not sent", async () => {
    const s = await open('/events?view=checks&q=lone');
    await t.site.runNow('root');
    await t.site.runNow('lone');
    const text = await s.until((x) => x.includes('data-check="lone"'));
    expect(text).not.toContain('data-check="root"');
    await s.cancel();
  });

  it('a run that changes no state still refreshes its rows (last run, next run, the heartbeat bar)', async () => {
    await t.site.runNow('lone');
    const s = await open('/events?view=checks');
    await t.site.runNow('lone'); // PASS again: no transition
    const text = await s.until((x) => x.includes('data-check="lone"'));
    expect(text).toContain(`hx-target="#r-n-${cid('lone')}"`);
    expect(text).toContain('class="beats" role="img" aria-label="last 2 runs: all passed"');
    await s.cancel();
  });

  it('a configuration change tells the checks page to reload its list', async () => {
    const s = await open('/events?view=checks');
    await t.site.mutate((doc) => ({ ...doc, checks: { ...(doc.checks as object), extra: { type: 'cpu' } } }));
    expect(await s.until((x) => x.includes('event: sw-config'))).toContain('event: sw-config\ndata: ');
    await s.cancel();
  });

  it('a check page gets its state, log and history', async () => {
    const s = await open('/events?view=check&name=root');
    await t.site.runNow('root');
    const text = await s.until((x) => x.includes(`id="hist-${cid('root')}"`));
    expect(text).toContain(`id="status-${cid('root')}"`);
    expect(text).toContain(`id="log-${cid('root')}"`);
    await t.site.mutate((doc) => ({ ...doc, checks: { ...(doc.checks as object), root: { type: 'disk', options: { volume: '/', level: 99 } } } }));
    expect(await s.until((x) => x.includes('id="notice"'))).toContain('This check was changed elsewhere');
    await s.cancel();
  });

  it('the home page gets its cards', async () => {
    const s = await open('/events?view=home');
    await t.site.runNow('lone');
    expect(await s.until((x) => x.includes('<div id="home-main" hx-swap-oob="true">'))).toContain('id="summary"');
    await s.cancel();
  });

  it('the log page gets new lines appended, escaped', async () => {
    const s = await open('/events?view=log');
    t.site.warn('<b>hello</b> from a test');
    const text = await s.until((x) => x.includes('from a test'));
    expect(text).toContain('<ol hx-swap-oob="beforeend:#sitelog"><li>');
    expect(text).toContain('&lt;b&gt;hello&lt;/b&gt; from a test');
    await s.cancel();
  });

  it('the stream ends when the session does (logout)', async () => {
    const s = await open('/events?view=checks');
    expect(t.web.deps.hub.size).toBe(1);
    await a.post('/logout');
    await t.site.runNow('root'); // the next batch finds the session gone
    await s.until(() => s.done);
    expect(t.web.deps.hub.size).toBe(0);
  });

  it('needs a session', async () => {
    const res = await new Agent(t.web).request('/events?view=home', { headers: { Accept: 'text/event-stream' } });
    expect(res.status).toBe(401);
  });
});
