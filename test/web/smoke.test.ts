import { describe, it, expect, afterAll, beforeAll } from 'vitest';
import { Agent, PASSWORDS, webSite, type TestSite } from './helpers.ts';

let t: TestSite;
beforeAll(async () => {
  t = await webSite();
});
afterAll(async () => {
  await t.close();
});

describe('smoke', () => {
  it('logs in and renders every page', async () => {
    const a = new Agent(t.web);
    const r = await a.login('admin', PASSWORDS.admin);
    expect(r.status).toBe(303);
    for (const p of [
      '/',
      '/checks',
      '/check/root',
      '/check/seq',
      '/check',
      '/actions',
      '/action/logit',
      '/action',
      '/users',
      '/user',
      '/user/admin',
      '/config',
      '/config/raw',
      '/log',
      '/account',
      '/status',
    ]) {
      const res = await a.get(p);
      const body = await res.text();
      if (res.status !== 200) console.log(p, res.status, body.slice(0, 2000));
      expect(res.status, p).toBe(200);
    }
  });
});
