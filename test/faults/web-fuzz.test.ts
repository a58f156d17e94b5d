/**
 * Issue 9, fault suite: 10,000 fuzzed web form posts (test/faults/web-fuzz.ts)
 * across every unsafe route of the app (read from its route table, so a new
 * route is fuzzed too), as a signed-in administrator with the CSRF token,
 * and some without a token or without a session. No answer is a 5xx, every
 * 4xx says why in its body, no HTML answer echoes a markup payload
 * unescaped, and the site file stays valid JSON that loads.
 * SITEWARD_FUZZ_SEED replays a run; SITEWARD_FUZZ_POSTS changes its size.
 */
import { openSite } from '../../src/wiring.ts';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { copyFileSync, readFileSync } from 'node:fs';
import { open, rename, link, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { parseSiteText } from '../../src/config/parse.ts';
import { validateSite } from '../../src/config/load.ts';
import { formatIssue } from '../../src/config/issues.ts';
import { checkTypes } from '../../src/checks/registry.ts';
import { actionTypes } from '../../src/actions/registry.ts';
import { Agent, PASSWORDS, fastHash, webSite, type FormBody, type TestSite } from '../web/helpers.ts';
import { formFields, visibleText } from './web-forms.ts';
import { Fuzz, HTML_PAYLOADS, NAMES, actionFormFields, checkFormFields, configFormFields, mutate, rng, value } from './web-fuzz.ts';

const SEED = Number(process.env.SITEWARD_FUZZ_SEED ?? Date.now() % 2 ** 31);
const POSTS = Number(process.env.SITEWARD_FUZZ_POSTS ?? 10_000);
const BOSS = { user: 'fuzzboss', password: 'fuzz-boss-pass-1' };
/**
 * Check types whose runs stay on this machine and end on their own: manual
 * runs are fuzzed only on those (not cpu: it waits a second on the site's
 * clock, which is a FakeClock here).
 */
const LOCAL = new Set(['disk', 'memory', 'sequence']);

const BASE = {
  actions: { logit: { type: 'log' }, hook: { type: 'webhook', options: { url: 'http://127.0.0.1:1/hook' } } },
  checks: {
    root: { type: 'disk', options: { volume: '/', level: 100 } },
    ram: { type: 'memory', options: { level: 100 } },
    seq: { type: 'sequence', trigger: { interval: { minutes: 5 } }, options: { checks: ['root', 'ram'] }, actions: ['logit'] },
    web: { type: 'https', options: { hostname: '127.0.0.1', port: 1 }, depends: ['root'] },
  },
};

let t: TestSite;
let routes: { method: string; path: string }[];
beforeAll(async () => {
  t = await webSite({
    // fsync is not under test here (test/faults/kill-save.test.ts is about that): without it, thousands of saves take seconds, not a minute
    saveFs: { open: async (...a: Parameters<typeof open>) => Object.assign(await open(...a), { sync: () => Promise.resolve() }), rename, link, unlink },
    doc: {
      webui: {
        name: 'Fuzz',
        hostname: '127.0.0.1',
        port: 1,
        cert: null,
        key: null,
        users: {
          admin: await fastHash(PASSWORDS.admin),
          olly: await fastHash(PASSWORDS.olly),
          [BOSS.user]: await fastHash(BOSS.password),
          '': await fastHash('dummy-x'),
        },
        roles: { [BOSS.user]: 'admin' },
      },
      scheduler: { jitter: 0 },
      ...BASE,
    },
  });
  const seen = new Set<string>();
  routes = t.web.app.routes
    .filter((r) => r.method !== 'ALL' && r.method !== 'GET')
    .map((r) => ({ method: r.method, path: r.path }))
    .filter((r) => !seen.has(`${r.method} ${r.path}`) && (seen.add(`${r.method} ${r.path}`), true));
});
afterAll(async () => {
  await t?.close();
});

/** The file on disk is valid JSON and a usable site. */
function fileProblems(): string[] {
  const parsed = parseSiteText(readFileSync(t.path, 'utf8'));
  if (parsed.doc === undefined) return parsed.issues.map(formatIssue);
  const site = validateSite(parsed.doc, { base: t.dir }, parsed.issues);
  return site.fatal ? site.issues.map(formatIssue) : [];
}

describe('10,000 fuzzed web form posts', () => {
  it(
    `no 5xx, every rejection explained, markup escaped, the site file always loads (seed ${SEED})`,
    async () => {
      const f = new Fuzz(rng(SEED));
      // its own address: the fuzzed sign-ins from other addresses must not throttle it
      const boss = new Agent(t.web, '198.51.100.7');
      const bossHash = await fastHash(BOSS.password);
      const login = async (): Promise<void> => {
        if ((await boss.login(BOSS.user, BOSS.password)).status === 303) return;
        // the fuzz may have rewritten the administrator's own entry (raw editor, own password), or
        // guessed its current password on /account (throttled like sign-ins): the harness puts the
        // entry back and forgets those failures, outside the UI, and signs in again
        t.web.deps.logins.pairs.reset(`198.51.100.7\u0000${BOSS.user}`);
        t.web.deps.logins.addresses.reset('198.51.100.7');
        await t.site.mutate(
          (doc) => {
            const w = (doc.webui ?? {}) as Record<string, unknown>;
            const users = { ...((w.users ?? {}) as Record<string, unknown>), [BOSS.user]: bossHash };
            const roles = { ...((w.roles ?? {}) as Record<string, unknown>), [BOSS.user]: 'admin' };
            return { ...doc, webui: { ...w, users, roles } };
          },
          { allowErrors: true },
        );
        const r = await boss.login(BOSS.user, BOSS.password);
        if (r.status !== 303) throw new Error(`seed ${SEED}: the fuzz administrator cannot sign in again (${r.status})`);
      };
      await login();
      const failures: string[] = [];
      const statuses = new Map<string, Map<number, number>>();
      let forms: Record<string, FormBody> = {};
      /** the names the scraped check, action and user forms belong to */
      let formNames = { check: '', action: '', user: '' };
      let hashes = 0;
      const site = t.site;
      const checkNames = (): string[] => [...site.loaded.checks.keys()];
      const actionNames = (): string[] => [...site.loaded.actions.keys()];
      const userNames = (): string[] => Object.keys(site.settings.webui?.users ?? {}).filter((u) => u !== BOSS.user);
      const refresh = async (): Promise<void> => {
        // a fuzzed site loses its checks and actions over time: put the original ones back
        // and one that grew (clones) is cut back, so that saves stay quick
        if (checkNames().length < 4 || actionNames().length < 2 || checkNames().length > 40) await restoreBase(checkNames().length > 40);
        const check = f.pick(checkNames());
        const action = f.pick(actionNames());
        const user = f.pick(userNames().filter((u) => u !== ''));
        formNames = { check, action, user: user ?? '' };
        const page = async (p: string, marker: string): Promise<FormBody> => {
          try {
            return formFields(await boss.page(p), marker);
          } catch {
            return {};
          }
        };
        forms = {
          check: await page(`/check/${encodeURIComponent(check)}`, 'id="check-form"'),
          newCheck: await page(`/check?type=${f.pick(checkTypes).type}`, 'id="check-form"'),
          action: await page(`/action/${encodeURIComponent(action)}`, `action="/action/${encodeURIComponent(action)}"`),
          newAction: await page(`/action?type=${f.pick(actionTypes).type}`, 'action="/action"'),
          config: await page('/config', 'action="/config"'),
          raw: await page('/config/raw', 'id="raw-form"'),
          user: user ? await page(`/user/${encodeURIComponent(user)}`, `action="/user/${encodeURIComponent(user)}"`) : {},
        };
        await boss.page('/');
      };
      const restoreBase = async (trim: boolean): Promise<void> => {
        await t.site.mutate(
          (doc) => ({
            ...doc,
            checks: { ...(trim ? {} : ((doc.checks ?? {}) as object)), ...BASE.checks },
            actions: { ...((doc.actions ?? {}) as object), ...BASE.actions },
          }),
          { allowErrors: true },
        );
      };
      const nameFor = (path: string): string => {
        // runs and action tests only where they stay on this machine (a fuzzed check or action may
        // point anywhere and wait for its timeout); other names there are ones that do not exist
        if (path.endsWith('/run')) {
          return f.chance(0.25) ? f.pick(NAMES.filter((n) => !site.entry(n))) : f.pick(checkNames().filter((n) => runsLocally(n, new Set())));
        }
        if (path.endsWith('/test')) {
          const local = [...site.loaded.actions.values()].filter((a) => a.config.type === 'log').map((a) => a.config.name);
          return f.chance(0.25) || local.length === 0 ? f.pick(NAMES.filter((n) => !site.action(n))) : f.pick(local);
        }
        if (f.chance(0.25)) return f.pick(NAMES);
        if (path === '/check/:name' && f.chance(0.7)) return formNames.check;
        if (path === '/action/:name' && f.chance(0.7)) return formNames.action;
        if (path === '/user/:name' && f.chance(0.7) && formNames.user) return formNames.user;
        if (path.startsWith('/action')) return f.pick(actionNames());
        if (path.startsWith('/user')) return f.pick(userNames());
        return f.pick(checkNames());
      };
      /** A local check, or a sequence of local checks all the way down (and no dependency elsewhere). */
      const runsLocally = (n: string, seen: Set<string>): boolean => {
        const e = site.entry(n);
        if (!e || seen.has(n) || !LOCAL.has(e.config.type)) return false;
        seen.add(n);
        const members = (e.opts?.checks as string[] | undefined) ?? [];
        return [...members, ...e.config.depends].every((m) => runsLocally(m, seen));
      };
      /** The base body and the other inputs of a route. */
      const shape = (method: string, path: string): { base: FormBody; extra: string[] } => {
        const type = f.pick(checkTypes).type;
        if (method === 'DELETE') return { base: {}, extra: [] };
        // a new check from an existing one's form (all required fields filled), or from the empty form of a type
        const renamed = (form: FormBody): FormBody => {
          const { oldName: _o, version: _v, ...rest } = form;
          return { ...rest, name: `fz-${f.int(1000)}` };
        };
        if (path === '/check' || path === '/check/') return { base: f.chance(0.5) ? renamed(forms.check) : forms.newCheck, extra: checkFormFields(type) };
        if (path === '/check/:name') return { base: forms.check, extra: checkFormFields(type) };
        if (/^\/check\/:name\/(run|pause|clone|move)$/.test(path))
          return { base: { back: '/checks', view: 'checks', paused: '1', dir: 'up' }, extra: ['group', 'view', 'back'] };
        if (path.endsWith('/delete')) return { base: { confirm: 'yes' }, extra: [] };
        if (path === '/action' || path === '/action/')
          return { base: f.chance(0.5) ? renamed(forms.action) : forms.newAction, extra: actionFormFields(f.pick(actionTypes).type) };
        if (path === '/action/:name') return { base: forms.action, extra: actionFormFields(f.pick(actionTypes).type) };
        if (path.startsWith('/user'))
          return {
            base: { username: value(f, 'name'), role: f.pick(['admin', 'operator', 'viewer', 'root']), password: '', version: forms.user.version ?? '' },
            extra: [],
          };
        if (path === '/config') return { base: forms.config, extra: configFormFields() };
        if (path.startsWith('/config/raw'))
          return { base: { text: rawText(f, String(forms.raw.text ?? '')), version: forms.raw.version ?? '', confirm: 'yes' }, extra: [] };
        if (path === '/login')
          return {
            base: { _login: '', username: value(f, 'name'), password: value(f), next: f.pick(['/', '//evil.example', 'javascript:x', '/checks']) },
            extra: [],
          };
        if (path === '/account/password') return { base: { current: value(f), password: value(f), repeat: value(f) }, extra: [] };
        if (path === '/logout') return { base: { everywhere: f.pick(['1', '0']) }, extra: [] };
        return { base: {}, extra: [] }; // a route this table does not know yet: random fields only
      };

      for (let i = 0; i < POSTS; i++) {
        if (i % 250 === 0) await refresh();
        const r = f.pick(routes);
        const url = r.path.replace(':name', encodeURIComponent(nameFor(r.path)));
        const { base, extra } = shape(r.method, r.path);
        const body = mutate(f, base, extra, [...checkNames(), ...actionNames(), ...NAMES]);
        // argon2 at its real cost is slow: only a few posts may carry a usable new password
        for (const k of ['password', 'repeat']) {
          const v = body[k];
          if (typeof v === 'string' && v.length >= 8 && (hashes >= 5 || !f.chance(0.02))) body[k] = v.slice(0, 7);
          else if (typeof v === 'string' && v.length >= 8) hashes++;
        }
        const token = f.chance(0.9) ? 'good' : f.chance(0.5) ? 'none' : 'wrong';
        const anon = f.chance(0.02) || r.path === '/login';
        const agent = anon ? new Agent(t.web, `192.0.2.${f.int(250)}`) : boss;
        const csrf = token === 'good' ? boss.csrf : token === 'wrong' ? 'not-the-token' : null;
        if (r.path === '/login' && f.chance(0.7) && body._login !== undefined) {
          // the sign-in form's own double-submit token, fetched as a browser would
          body._login = /name="_login" value="([^"]+)"/.exec(await (await agent.get('/login')).text())?.[1] ?? '';
        }
        const headers: Record<string, string> = f.chance(0.2) ? { 'HX-Request': 'true' } : {};
        const encoding = r.method === 'DELETE' ? 'none' : f.pick(ENCODINGS);
        let res: Response;
        try {
          // a request that hangs is a failure of its own, not a hung suite
          res = await Promise.race([send(agent, r.method, url, body, csrf, headers, encoding), hang(30_000)]);
        } catch (e) {
          failures.push(`${r.method} ${url}: the app threw ${(e as Error).stack ?? String(e)}`);
          continue;
        }
        const text = await res.text();
        const key = `${r.method} ${r.path}`;
        const counts = statuses.get(key) ?? new Map<number, number>();
        counts.set(res.status, (counts.get(res.status) ?? 0) + 1);
        statuses.set(key, counts);
        const where = `#${i} ${r.method} ${url.slice(0, 80)} (${encoding}, token ${token}${anon ? ', no session' : ''}) → ${res.status}`;
        if (res.status >= 500) failures.push(`${where}: ${text.slice(0, 200)} body ${JSON.stringify(body).slice(0, 300)}`);
        if (res.status >= 400 && res.status < 500 && visibleText(text).trim().length < 8)
          failures.push(`${where}: a rejection without an explanation: ${JSON.stringify(text.slice(0, 100))}`);
        if ((res.headers.get('Content-Type') ?? '').includes('text/html')) {
          for (const p of HTML_PAYLOADS) if (text.includes(p)) failures.push(`${where}: echoes ${p} unescaped`);
        }
        // (413: a body over the route's limit is refused before anything, CSRF included, reads it)
        // (POST /ack/<token>: the signed token is the credential, not the session's CSRF token — test/ops/ack-link.test.ts)
        if (
          r.path !== '/login' &&
          !new URL(url, 'http://fuzz.invalid').pathname.startsWith('/ack/') &&
          !anon &&
          token !== 'good' &&
          ![401, 403, 413].includes(res.status)
        )
          failures.push(`${where}: accepted without the CSRF token`);
        if (i % 500 === 499) {
          const bad = fileProblems();
          if (bad.length) failures.push(`after #${i}: the site file does not load: ${bad.join('; ')}`);
        }
        if (failures.length > 20) break;
        // the fuzz may have signed the administrator out (POST /logout): sign in again
        if (!anon && (res.status === 401 || (res.headers.get('Location') ?? '').startsWith('/login'))) await login();
      }
      expect(failures, `seed ${SEED}`).toEqual([]);
      expect(fileProblems()).toEqual([]);
      // the file also opens as a site, as the next start would
      const copy = join(t.dir, 'copy.json');
      copyFileSync(t.path, copy);
      const reopened = await openSite({ configPath: copy, dbPath: ':memory:', readOnly: true });
      await reopened.stop();
      // the fuzz reached every route, and got past the guards into the handlers
      for (const r of routes) expect(statuses.has(`${r.method} ${r.path}`), `${r.method} ${r.path} never fuzzed`).toBe(true);
      const all = [...statuses.values()].flatMap((m) => [...m]);
      const total = (pred: (s: number) => boolean): number => all.filter(([s]) => pred(s)).reduce((a, [, n]) => a + n, 0);
      expect(total((s) => s === 422)).toBeGreaterThan(POSTS / 20);
      expect(total((s) => s < 400)).toBeGreaterThan(POSTS / 20);
      // sized by the count, not by an idle machine's speed (60 ms a post idle; a loaded machine takes several times that)
    },
    POSTS * 300,
  );
});

function hang(ms: number): Promise<never> {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref());
}

/** How a body is sent: mostly as a browser's form, sometimes otherwise (the token then goes in the header). */
const ENCODINGS = [...Array<string>(17).fill('urlencoded'), 'multipart', 'broken multipart', 'json'] as const;

function send(
  agent: Agent,
  method: string,
  url: string,
  body: FormBody,
  csrf: string | null,
  headers: Record<string, string>,
  encoding: string,
): Promise<Response> {
  const token: Record<string, string> = csrf ? { 'X-CSRF-Token': csrf } : {};
  switch (encoding) {
    case 'none':
      return agent.request(url, { method, headers: { ...headers, ...token } });
    case 'multipart': {
      const fd = new FormData();
      if (csrf) fd.append('_csrf', csrf);
      for (const [k, v] of Object.entries(body)) for (const x of Array.isArray(v) ? v : [v]) fd.append(k, x);
      return agent.request(url, { method, body: fd, headers });
    }
    case 'broken multipart': {
      const parts = Object.entries(body)
        .map(([k, v]) => `--zz\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${String(v)}\r\n`)
        .join('');
      return agent.request(url, { method, body: `${parts}--z`, headers: { ...headers, ...token, 'Content-Type': 'multipart/form-data; boundary=zz' } });
    }
    case 'json':
      return agent.request(url, { method, body: JSON.stringify(body), headers: { ...headers, ...token, 'Content-Type': 'application/json' } });
    default:
      return agent.post(url, body, { csrf, headers });
  }
}

/** The raw editor's text, broken in one of several ways. */
function rawText(f: Fuzz, text: string): string {
  switch (f.int(5)) {
    case 0:
      return text.slice(0, f.int(text.length + 1));
    case 1: {
      const at = f.int(text.length + 1);
      return `${text.slice(0, at)}${value(f)}${text.slice(at + f.int(20))}`;
    }
    case 2: {
      try {
        const doc = JSON.parse(text) as Record<string, Record<string, Record<string, unknown>>>;
        const check = f.pick(Object.keys(doc.checks ?? {}));
        if (check) doc.checks[check][f.pick(['type', 'trigger', 'options', 'threshold', 'depends', 'actions'])] = f.pick([5, 'x', null, [], {}, value(f)]);
        return JSON.stringify(doc, null, 1);
      } catch {
        return text;
      }
    }
    case 3:
      return value(f, 'json');
    default:
      return text;
  }
}
