/**
 * Every endpoint with every scope: no token → 401, a scope below the one
 * needed → 403 `forbidden`, the needed scope and above → success. The list
 * is checked against the OpenAPI document, so a new route without a row here
 * fails this suite.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { openApiSite, type ApiTestSite } from './helpers.ts';
import { SCOPES } from '../../src/api/tokens.ts';
import { ROWS, SITE } from './endpoints.ts';

describe('every endpoint with each scope', () => {
  let t: ApiTestSite | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  for (const row of ROWS) {
    it(`${row.method} ${row.doc} needs ${row.need}`, async () => {
      t = await openApiSite(SITE);
      const path = `/api/v1${typeof row.path === 'function' ? row.path(t) : row.path}`;
      const none = await t.call(row.method, path, { scope: null, body: row.body });
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(((await none.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
      for (const scope of SCOPES) {
        const allowed = SCOPES.indexOf(scope) >= SCOPES.indexOf(row.need);
        const r = await t.call(row.method, path, { scope, body: row.body });
        if (!allowed) {
          expect(r.status, `${scope} refused`).toBe(403);
          expect(((await r.json()) as { error: { code: string } }).error.code).toBe('forbidden');
        } else if (scope === row.need) {
          expect(r.status, `${scope} allowed: ${await r.clone().text()}`).toBe(row.ok);
        } else {
          // a higher scope repeats the call: it must get past authorisation (not 401/403)
          expect([401, 403]).not.toContain(r.status);
        }
      }
    });
  }
});
