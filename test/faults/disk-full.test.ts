/**
 * Issue 9, fault suite: the disk fills up during a save. The site file lives
 * on a small tmpfs filled to the last page (as root, where `mount` works),
 * otherwise writes fail with ENOSPC injected at the file-system seam
 * (src/config/save.ts SaveFs). Every save attempt — a direct mutation and
 * every web form that changes the site — leaves the old file byte for byte,
 * reports the error in the site log, returns it to the caller and shows it
 * to the user; once space is back, saving works again. Failures at the
 * other steps of the atomic save (fsync, the backup link, the rename) are
 * injected at the seam.
 */
import * as wiring from '../../src/wiring.ts';
import { describe, it, expect, afterAll } from 'vitest';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { open, rename, link, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Site } from '../../src/site.ts';
import { FakeClock } from '../../src/engine/clock.ts';
import { putCheck } from '../../src/config/edits.ts';
import { buildWebApp, type WebApp } from '../../src/web/app.ts';
import { WEB_MIGRATIONS } from '../../src/web/sessions.ts';
import type { SaveFs } from '../../src/config/save.ts';
import { tempDir } from '../servers/common.ts';
import { Agent, PASSWORDS, fastHash, type FormBody } from '../web/helpers.ts';
import { formFields, visibleText } from './web-forms.ts';
import { mountTmpfs } from './tmpfs.ts';

function enospc(syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOSPC: no space left on device, ${syscall}`), { code: 'ENOSPC', errno: -28, syscall });
}

/** The real file system, with writes failing ENOSPC after a partial write while `full()` says so. */
function injectedFs(full: () => boolean): SaveFs {
  return {
    open: (async (path: string, flags?: string, mode?: number) => {
      const fh = await open(path, flags, mode);
      if (!full()) return fh;
      return Object.assign(Object.create(fh) as typeof fh, {
        writeFile: async (data: string) => {
          await fh.write(data.slice(0, Math.floor(data.length / 2)));
          throw enospc('write');
        },
        close: () => fh.close(),
        sync: () => fh.sync(),
      });
    }) as SaveFs['open'],
    rename,
    link,
    unlink,
  };
}

const root = tempDir('sw-diskfull-');
const disk = join(root.dir, 'disk');
mkdirSync(disk);
/**
 * A real full disk where the machine allows it (root, and mount permitted);
 * CI may be unprivileged. SITEWARD_FAULTS_NO_TMPFS=1 forces the fallback.
 */
const tmpfs = process.env.SITEWARD_FAULTS_NO_TMPFS ? null : mountTmpfs(disk, '512k');
const fs = tmpfs && !('refused' in tmpfs) ? tmpfs : null;
const mounted = fs !== null;
const how = mounted ? 'a 512 KiB tmpfs filled to its last page' : 'ENOSPC injected at the SaveFs seam (no tmpfs here)';
let full = false;

afterAll(() => {
  fs?.unmount();
  root.cleanup();
});

/** Fills the tmpfs to its last page (or flips the injected ENOSPC on). */
function fillDisk(): void {
  full = true;
  fs?.fill();
}

function freeDisk(): void {
  full = false;
  fs?.free();
}

async function openSite(dir: string, saveFs?: SaveFs): Promise<{ site: Site; web: WebApp; path: string }> {
  const path = join(dir, 'site.json');
  writeFileSync(
    path,
    JSON.stringify(
      {
        webui: { name: 'Full Disk', hostname: '127.0.0.1', port: 1, users: { admin: await fastHash(PASSWORDS.admin), olly: await fastHash(PASSWORDS.olly) } },
        scheduler: { jitter: 0 },
        actions: { logit: { type: 'log' } },
        checks: {
          root: { type: 'disk', options: { volume: '/', level: 100 } },
          ram: { type: 'memory', options: { level: 100 } },
        },
      },
      null,
      1,
    ),
    { mode: 0o600 },
  );
  const outside = join(root.dir, 'state');
  mkdirSync(outside, { recursive: true });
  const site = await wiring.openSite({
    configPath: path,
    dbPath: join(outside, `${Date.now()}.db`),
    clock: new FakeClock(Date.UTC(2026, 0, 1, 12)),
    migrations: [WEB_MIGRATIONS],
    saveFs,
  });
  const web = await buildWebApp(wiring.webSiteView(site), { secure: false, flushMs: 5, keyPath: join(outside, 'session-key') });
  return { site, web, path };
}

const NO_SPACE = /no space left on device/i;

describe('the disk fills up during a save', () => {
  it(`${how}: the old file survives byte for byte; the error is logged, returned, and shown by every web form`, async () => {
    const { site, web, path } = await openSite(disk, mounted ? undefined : injectedFs(() => full));
    const a = new Agent(web);
    await a.login('admin', PASSWORDS.admin);
    const raw = formFields(await a.page('/config/raw'), 'id="raw-form"');
    const pages: Record<string, FormBody> = {
      check: { ...formFields(await a.page('/check/root'), 'id="check-form"'), 'opt.level': '99' },
      config: { ...formFields(await a.page('/config'), 'action="/config"'), 'webui.name': 'Renamed' },
      raw: { ...raw, text: String(raw.text).replace('Full Disk', 'Renamed') },
      action: formFields(await a.page('/action/logit'), 'action="/action/logit"'),
    };
    await a.page('/');
    fillDisk();
    const before = readFileSync(path);
    const same = (what: string): void => {
      expect(readFileSync(path).equals(before), `${what}: the site file changed`).toBe(true);
      expect(
        readdirSync(disk).filter((f) => f.endsWith('.tmp') || f.endsWith('.bak-tmp')),
        `${what}: temp files left`,
      ).toEqual([]);
    };

    // the caller gets the error, the running site keeps its config
    const r = await site.mutate((doc) => putCheck(doc, 'root', { type: 'disk', options: { volume: '/', level: 50 } }));
    expect(r.ok).toBe(false);
    expect(r.issues.map((i) => i.message).join()).toMatch(NO_SPACE);
    expect(site.entry('root')!.config.options.level).toBe(100);
    same('mutate');
    expect(site.siteLog.all().some((l) => /Saving the site failed: .*no space left on device/i.test(l))).toBe(true);

    const posts: [string, string, FormBody, Record<string, string>?][] = [
      ['check form', '/check/root', pages.check],
      ['new check', '/check', { name: 'extra', checkType: 'cpu', trigger: '', failAction: 'on', passAction: 'on' }],
      ['pause', '/check/root/pause', { paused: '1', back: '/checks' }],
      ['pause (htmx)', '/check/root/pause', { paused: '1', view: 'checks', back: '/checks' }, { 'HX-Request': 'true' }],
      ['clone', '/check/root/clone', { back: '/checks' }],
      ['move', '/check/root/move', { dir: 'down', back: '/checks' }],
      ['delete', '/check/ram/delete', { confirm: 'yes' }],
      ['site config form', '/config', pages.config],
      ['raw editor', '/config/raw', pages.raw],
      ['new user', '/user', { username: 'newbie', role: 'viewer', password: 'long-enough-1' }],
      [
        'user edit',
        '/user/olly',
        { username: 'olly', role: 'viewer', password: '', version: formFields(await a.page('/user/olly'), 'action="/user/olly"').version as string },
      ],
      ['action form', '/action/logit', pages.action],
      ['new action', '/action', { name: 'more', actionType: 'log' }],
      ['action delete', '/action/logit/delete', { confirm: 'yes' }],
      ['own password', '/account/password', { current: PASSWORDS.admin, password: 'another-pass-1', repeat: 'another-pass-1' }],
    ];
    for (const [what, url, form, headers] of posts) {
      const res = await a.post(url, form, { headers });
      const text = visibleText(await res.text());
      expect(res.status, `${what}: ${text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${what}: ${text.slice(0, 300)}`).toBeLessThan(500);
      expect(text, `${what}: the user is not told`).toMatch(NO_SPACE);
      same(what);
    }
    const log = visibleText(await (await a.get('/log')).text());
    expect(log).toMatch(/Saving the site failed: .*no space left on device/i);

    // space again: the same form saves, and the file is the new version
    freeDisk();
    const ok = await a.post('/check/root', pages.check);
    expect(ok.status).toBe(303);
    expect(JSON.parse(readFileSync(path, 'utf8')).checks.root.options.level).toBe(99);
    web.close();
    await site.stop();
  }, 60_000);
});

describe('failures at the other steps of the atomic save (injected at the seam)', () => {
  const steps: [string, (real: SaveFs) => SaveFs][] = [
    [
      'fsync of the new file (EIO)',
      (real) => ({
        ...real,
        open: (async (p: string, f?: string, m?: number) => {
          const fh = await real.open(p, f, m);
          if (f !== 'wx') return fh;
          return Object.assign(Object.create(fh) as typeof fh, {
            writeFile: (d: string) => fh.writeFile(d, 'utf8'),
            close: () => fh.close(),
            sync: () => Promise.reject(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' })),
          });
        }) as SaveFs['open'],
      }),
    ],
    ['the backup link (ENOSPC)', (real) => ({ ...real, link: () => Promise.reject(enospc('link')) })],
    [
      'the rename over the site file (ENOSPC)',
      (real) => ({ ...real, rename: (from, to) => (String(to).endsWith('.json') ? Promise.reject(enospc('rename')) : real.rename(from, to)) }),
    ],
  ];
  for (const [step, make] of steps) {
    it(`${step}: the old file survives, the caller and the site log get the error`, async () => {
      const t = tempDir('sw-savestep-');
      let broken = false;
      const real: SaveFs = { open, rename, link, unlink };
      const bad = make(real);
      const seam: SaveFs = {
        open: ((...args: Parameters<SaveFs['open']>) => (broken ? bad : real).open(...args)) as SaveFs['open'],
        rename: (a, b) => (broken ? bad : real).rename(a, b),
        link: (a, b) => (broken ? bad : real).link(a, b),
        unlink: (a) => (broken ? bad : real).unlink(a),
      };
      const { site, web, path } = await openSite(t.dir, seam);
      await site.save();
      const before = readFileSync(path);
      broken = true;
      const r = await site.mutate((doc) => putCheck(doc, 'root', { type: 'disk', options: { volume: '/', level: 50 } }));
      expect(r.ok).toBe(false);
      expect(r.issues[0].message).toMatch(/could not save the site file/);
      expect(readFileSync(path).equals(before)).toBe(true);
      expect(readdirSync(t.dir).filter((f) => f.endsWith('.tmp') || f.endsWith('.bak-tmp'))).toEqual([]);
      expect(site.siteLog.all().some((l) => l.includes('Saving the site failed'))).toBe(true);
      broken = false;
      expect((await site.mutate((doc) => putCheck(doc, 'root', { type: 'disk', options: { volume: '/', level: 50 } }))).ok).toBe(true);
      web.close();
      await site.stop();
      t.cleanup();
    });
  }
});
